"""The Faust app: the rating agent and its table. A thin shell over scoring/validation/state.

State lives in one changelog-backed table, ``center-days`` (see ``streams/scoring.py``),
so a restarted or new worker recovers it from Kafka. Faust's windowed tables are avoided
on purpose: they lose state on restart and rebalance. Processing is at-least-once;
exactness comes from the state itself. A count and its feedback_id are in one changelog
record, and Faust flushes the changelog before it commits offsets.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import faust

from dost_feedback import topics
from dost_feedback.centers import CenterRegistry
from dost_feedback.events import MAX_RATING, MIN_RATING, Channel, utc_now
from dost_feedback.opening_hours import is_open, load_timezone
from dost_feedback.settings import Settings
from streams import metrics
from streams.consumer_lag import LagGauge, owned_partitions
from streams.faust_app import new_faust_app
from streams.partitioning import centers_in_partitions, partition_for_center
from streams.scoring import (
    ALL_GROUPS,
    HOUR_SECONDS,
    day_key,
    day_start,
    parse_day_key,
    prune_plan,
    window_tallies,
)
from streams.sms_invitations import register_sms_invitations
from streams.state import CenterDayStore
from streams.validation import REJECTION_REASONS, Rejection, check_timeliness, deadletter_record, validate_record

log = logging.getLogger(__name__)


@dataclass
class RefreshState:
    """What the last refresh saw. Windows slide every hour and ownership moves on a
    rebalance; either means every owned center's windows must be recomputed."""

    hour: int | None = None
    owned: frozenset[str] = frozenset()

    def everything_moved(self, hour: int, owned: frozenset[str]) -> bool:
        moved = hour != self.hour or owned != self.owned
        self.hour, self.owned = hour, owned
        return moved


def create_app(settings: Settings, registry: CenterRegistry, collector: metrics.SatisfactionCollector) -> faust.App:
    app = new_faust_app(settings, settings.faust_app_id, settings.faust_data_dir)
    raw = {"key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw"}
    submitted_topic = app.topic(topics.FEEDBACK_SUBMITTED, **raw)
    deadletter_topic = app.topic(topics.FEEDBACK_DEADLETTER, **raw)
    satisfaction_topic = app.topic(topics.CENTER_SATISFACTION, **raw)

    table = app.Table(topics.CENTER_DAYS_TABLE, default=None, partitions=settings.topic_partitions)
    store = CenterDayStore(table, settings.topic_partitions)
    known_centers = set(registry.ids())
    targets = registry.targets()
    centers = registry.by_id()
    hours = {center_id: center.hours for center_id, center in centers.items()}
    zone = load_timezone(settings.centers_timezone)
    changed_centers: set[str] = set()  # centers whose windows need recomputing
    last_offsets: dict[faust.types.TP, int] = {}
    lag_gauge = LagGauge(metrics.CONSUMER_LAG)
    for reason in REJECTION_REASONS:  # exported as 0 from the start (see REJECTION_REASONS)
        metrics.DEADLETTERS_TOTAL.labels(reason)
    # Every rating counter starts at 0 too: a counter series whose first scrape already
    # holds N ratings shows no increase() for them, so the network burn-rate rules would
    # miss the first ratings of every center, channel and rating after a (re)start.
    for center_id in sorted(known_centers):
        for channel in Channel:
            for rating in range(MIN_RATING, MAX_RATING + 1):
                metrics.RATINGS_TOTAL.labels(center_id, channel.value, str(rating))
    # Highest received_at seen per partition: the clock that ages de-duplication ids.
    received_watermarks: dict[int, float] = {}
    last_prune = 0.0

    def prune(now: float) -> None:
        owned_partitions_now = owned_partitions(app, topics.FEEDBACK_SUBMITTED)
        owned = set(centers_in_partitions(registry.ids(), settings.topic_partitions, owned_partitions_now))
        items = (
            (key, day, received_watermarks.get(partition_for_center(parse_day_key(key)[0], settings.topic_partitions)))
            for key, day in store.items_for_centers(owned)
        )
        plan = prune_plan(items, now, settings.dedup_ttl_seconds)
        for key in plan.forget_ids:
            day = store.get(key)
            day.ids.clear()
            store.put(key, day)
        for key in plan.delete:
            store.delete(key)

    async def dead_letter(event, rejection: Rejection) -> None:
        message = event.message
        record = deadletter_record(event.value, rejection, message.topic, message.partition, message.offset, utc_now())
        await deadletter_topic.send(key=event.key, value=json.dumps(record).encode())
        metrics.DEADLETTERS_TOTAL.labels(rejection.reason).inc()
        metrics.EVENTS_PROCESSED_TOTAL.labels("deadletter").inc()
        log.warning("dead letter %s at %s[%s]@%s: %s", rejection.reason, message.topic,
                    message.partition, message.offset, rejection.detail)

    @app.agent(submitted_topic)
    async def count_ratings(stream):
        nonlocal last_prune
        async for events in stream.take_events(settings.rating_batch_size, within=settings.rating_batch_seconds):
            started = time.perf_counter()
            touched = {}
            for event in events:
                last_offsets[event.message.tp] = event.message.offset
                result = validate_record(event.value, known_centers)
                if not isinstance(result, Rejection):
                    result = check_timeliness(
                        result, settings.allowed_lateness_seconds, settings.max_clock_skew_seconds
                    ) or result
                if isinstance(result, Rejection):
                    await dead_letter(event, result)
                    continue
                partition = event.message.partition
                received = result.received_at.timestamp()
                if received > received_watermarks.get(partition, 0.0):
                    received_watermarks[partition] = received
                submitted = result.submitted_at.timestamp()
                key = day_key(result.center_id, day_start(submitted))
                day = touched.get(key) or store.get(key)
                group = result.service_group.value if result.service_group else None
                if not day.apply(str(result.feedback_id), group, submitted, result.rating):
                    metrics.EVENTS_PROCESSED_TOTAL.labels("duplicate").inc()
                    continue
                touched[key] = day
                changed_centers.add(result.center_id)
                metrics.RATINGS_TOTAL.labels(result.center_id, result.channel.value, str(result.rating)).inc()
                metrics.EVENTS_PROCESSED_TOTAL.labels("counted").inc()
            for key, day in touched.items():
                store.put(key, day)
            now = time.time()
            if now - last_prune >= settings.prune_interval_seconds:
                prune(now)
                last_prune = now
            metrics.BATCH_PROCESSING_SECONDS.observe(time.perf_counter() - started)
            metrics.BATCH_SIZE.observe(len(events))

    windows_by_center: dict[str, dict] = {}
    last_published: dict[str, dict] = {}
    refresh_state = RefreshState()

    @app.timer(interval=settings.metrics_refresh_seconds)
    async def refresh_satisfaction():
        owned = owned_partitions(app, topics.FEEDBACK_SUBMITTED)
        metrics.ASSIGNED_PARTITIONS.set(len(owned))
        owned_centers = frozenset(centers_in_partitions(registry.ids(), settings.topic_partitions, owned))
        now = time.time()
        now_utc = datetime.fromtimestamp(now, timezone.utc)
        hour = int(now // HOUR_SECONDS)
        if refresh_state.everything_moved(hour, owned_centers):
            changed_centers.update(owned_centers)
            for center_id in set(windows_by_center) - owned_centers:
                del windows_by_center[center_id]
        computed = []
        deadline = time.perf_counter() + settings.refresh_budget_seconds
        for center_id in sorted(changed_centers & owned_centers):
            windows_by_center[center_id] = window_tallies(store.days_for_window(center_id, now), now)
            computed.append(center_id)
            if time.perf_counter() > deadline:
                break
        changed_centers.difference_update(computed)
        changed_centers.intersection_update(owned_centers)
        collector.update(
            metrics.SatisfactionSnapshot(
                windows={c: windows_by_center[c] for c in owned_centers if c in windows_by_center},
                targets={c: targets[c] for c in owned_centers},
                info={c: (centers[c].region, centers[c].kind.value) for c in owned_centers},
                open={c: is_open(hours[c], now_utc, zone) for c in owned_centers},
                open_hours_per_week={c: hours[c].hours_per_week for c in owned_centers},
            )
        )
        lag_gauge.report(app, last_offsets, owned)
        # center.satisfaction carries a center's windows whenever they change, at most once a refresh.
        for center_id in computed:
            state = {
                window: {"ratings": t.ratings, "satisfied": t.satisfied, "satisfaction_ratio": t.satisfaction_ratio}
                for window, t in windows_by_center[center_id][ALL_GROUPS].items()
            }
            if last_published.get(center_id) == state:
                continue
            last_published[center_id] = state
            record = {"center_id": center_id, "computed_at": now_utc.isoformat(),
                      "target": targets[center_id], "windows": state}
            await satisfaction_topic.send(key=center_id.encode(), value=json.dumps(record).encode())

    register_sms_invitations(app, settings, registry)  # citizen channels: SMS invitations
    return app
