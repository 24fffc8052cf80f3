"""The Faust app: the rating agent and its tables. A thin shell over scoring/validation.

State lives in two changelog-backed tables, so a restarted or new worker recovers it
from Kafka:
- ``seen-feedback``: feedback_id -> epoch seconds first seen (de-duplication);
- ``center-buckets``: "center_id|bucket_start" -> [ratings, satisfied] per hourly bucket.
Faust's windowed tables are avoided on purpose: they lose state on restart and rebalance.
"""

from __future__ import annotations

import json
import logging
import time

import faust

from dost_feedback import topics
from dost_feedback.centers import CenterRegistry
from dost_feedback.events import utc_now
from dost_feedback.settings import Settings
from streams import metrics
from streams.partitioning import centers_in_partitions
from streams.scoring import Tally, bucket_key, bucket_start, center_windows
from streams.validation import Rejection, deadletter_record, validate_record

log = logging.getLogger(__name__)


def create_app(settings: Settings, registry: CenterRegistry, collector: metrics.SatisfactionCollector) -> faust.App:
    app = faust.App(
        settings.faust_app_id,
        broker=f"kafka://{settings.kafka_bootstrap_servers}",
        store="memory://",
        datadir=str(settings.faust_data_dir),
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication_factor,
        broker_session_timeout=settings.broker_session_timeout_seconds,
        broker_heartbeat_interval=settings.broker_heartbeat_interval_seconds,
        producer_acks=-1,
        consumer_auto_offset_reset="earliest",
        web_enabled=False,
    )
    raw = {"key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw"}
    submitted_topic = app.topic(topics.FEEDBACK_SUBMITTED, **raw)
    deadletter_topic = app.topic(topics.FEEDBACK_DEADLETTER, **raw)
    satisfaction_topic = app.topic(topics.CENTER_SATISFACTION, **raw)

    seen_feedback = app.Table(topics.SEEN_FEEDBACK_TABLE, default=None, partitions=settings.topic_partitions)
    center_buckets = app.Table(topics.CENTER_BUCKETS_TABLE, default=None, partitions=settings.topic_partitions)
    known_centers = set(registry.ids())
    targets = registry.targets()

    @app.agent(submitted_topic)
    async def count_ratings(stream):
        async for event in stream.events():
            started = time.perf_counter()
            message = event.message
            result = validate_record(event.value, known_centers)
            if isinstance(result, Rejection):
                record = deadletter_record(
                    event.value, result, message.topic, message.partition, message.offset, utc_now()
                )
                await deadletter_topic.send(key=event.key, value=json.dumps(record).encode())
                metrics.DEADLETTERS_TOTAL.labels(result.reason).inc()
                metrics.EVENTS_PROCESSED_TOTAL.labels("deadletter").inc()
                log.warning("dead letter %s at %s[%s]@%s: %s", result.reason, message.topic,
                            message.partition, message.offset, result.detail)
                continue
            feedback_id = str(result.feedback_id)
            if seen_feedback.get(feedback_id) is not None:
                metrics.EVENTS_PROCESSED_TOTAL.labels("duplicate").inc()
                continue
            seen_feedback[feedback_id] = int(time.time())
            key = bucket_key(result.center_id, bucket_start(result.submitted_at))
            center_buckets[key] = Tally.from_list(center_buckets.get(key)).add(result.rating).to_list()
            metrics.RATINGS_TOTAL.labels(result.center_id, result.channel.value, str(result.rating)).inc()
            metrics.EVENTS_PROCESSED_TOTAL.labels("counted").inc()
            metrics.PROCESSING_SECONDS.observe(time.perf_counter() - started)

    last_published: dict[str, dict] = {}

    @app.timer(interval=settings.metrics_refresh_seconds)
    async def refresh_satisfaction():
        owned = {
            tp.partition for tp in app.assignor.assigned_actives() if tp.topic == topics.FEEDBACK_SUBMITTED
        }
        metrics.ASSIGNED_PARTITIONS.set(len(owned))
        owned_centers = centers_in_partitions(registry.ids(), settings.topic_partitions, owned)
        now = time.time()
        windows = center_windows(center_buckets.items(), owned_centers, now)
        collector.update(
            metrics.SatisfactionSnapshot(
                windows=windows, targets={c: targets[c] for c in owned_centers}
            )
        )
        # center.satisfaction carries each center's windows whenever they change.
        for center_id, tallies in windows.items():
            state = {
                window: {"ratings": t.ratings, "satisfied": t.satisfied, "satisfaction_ratio": t.satisfaction_ratio}
                for window, t in tallies.items()
            }
            if last_published.get(center_id) == state:
                continue
            last_published[center_id] = state
            record = {"center_id": center_id, "computed_at": utc_now().isoformat(),
                      "target": targets[center_id], "windows": state}
            await satisfaction_topic.send(key=center_id.encode(), value=json.dumps(record).encode())

    from streams.sms_invitations import register_sms_invitations  # citizen channels: SMS invitations

    register_sms_invitations(app, settings, registry)
    return app
