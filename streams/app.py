"""The rating worker's Faust app: topics, the table, the agent and the timer. Wiring only.

The agent hands each batch to a ``RatingCounter`` (``streams.counting``) and sends what it
rejects to ``feedback.deadletter``; the timer asks a ``SatisfactionRefresher``
(``streams.refresh``) for the windows, swaps them into the Prometheus collector and
publishes the changed ones to ``center.satisfaction``.

State lives in two changelog-backed tables, ``center-days`` (``streams/scoring.py``) and
``feedback-marks`` (``streams/dedup.py``), so a restarted or new worker recovers it from
Kafka. Faust's windowed tables are avoided on purpose: they lose state on restart and
rebalance. Processing is at-least-once; exactness comes from the state itself: every
center-day carries the highest source offset counted into it and every mark the offset
of its first version, and Faust flushes the changelog before it commits offsets
(docs/architecture.md, "Exactly once, by offsets").
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from functools import partial

import faust
import orjson
from faust.types import TP

from dost_contract import topics
from dost_contract.centers import CenterRegistry
from dost_contract.events import MAX_RATING, MIN_RATING, Channel, utc_now
from dost_contract.settings import Settings
from dost_contract.settings.kafka import kafka_client_kwargs
from streams import metrics
from streams.consumer_lag import LagGauge, owned_partitions
from streams.continuity import OffsetContinuity, OffsetRange, in_offset_order
from streams.counting import Incoming, RatingCounter
from streams.dedup import FeedbackMarks
from streams.faust_app import new_faust_app
from streams.gap_reader import GapReader
from streams.refresh import SatisfactionRefresher
from streams.state import CenterDayStore, ChangelogWrites, MarkStore, load_changelog_event
from streams.validation import REJECTION_REASONS, deadletter_record

log = logging.getLogger(__name__)
RAW = {"key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw"}
# Faust settings for the rating worker on top of streams.faust_app. Deliberately none:
# deeper buffers (stream_buffer_maxsize 131072, broker_max_poll_records 10000, 4 MiB
# fetches; FACTS.md: +10-30% on a no-op agent) were tried, and twice a fresh group's first
# rebalance with a backlog then skipped thousands of fetched records (docs/benchmarks.md).
RATING_WORKER_TUNING: dict[str, object] = {}


def export_counters_from_zero(registry: CenterRegistry) -> None:
    """Every dead-letter reason and rating counter starts at 0.

    A counter series whose first scrape already holds N shows no increase() for them, so
    DostDeadLettersAppearing would miss the first dead letter, and the network burn-rate
    rules the first ratings of every center, channel and rating after a (re)start.
    """
    for reason in REJECTION_REASONS:
        metrics.DEADLETTERS_TOTAL.labels(reason)
    for center_id in sorted(registry.ids()):
        for channel in Channel:
            for rating in range(MIN_RATING, MAX_RATING + 1):
                metrics.RATINGS_TOTAL.labels(center_id, channel.value, str(rating))


def report_state_size(store: CenterDayStore, marks: FeedbackMarks) -> None:
    held_marks, blocks, block_bytes = marks.size()
    metrics.STATE_ENTRIES.labels("center_days").set(len(store))
    metrics.STATE_ENTRIES.labels("feedback_marks").set(held_marks)
    metrics.STATE_ENTRIES.labels("mark_blocks").set(blocks)
    metrics.STATE_MARK_BYTES.set(block_bytes)


def create_app(settings: Settings, registry: CenterRegistry, collector: metrics.SatisfactionCollector) -> faust.App:
    app = new_faust_app(settings, settings.faust_app_id, settings.faust_data_dir, **RATING_WORKER_TUNING)
    submitted_topic = app.topic(topics.FEEDBACK_SUBMITTED, **RAW)
    deadletter_topic = app.topic(topics.FEEDBACK_DEADLETTER, **RAW)
    satisfaction_topic = app.topic(topics.CENTER_SATISFACTION, **RAW)
    table = app.Table(topics.CENTER_DAYS_TABLE, default=None, partitions=settings.topic_partitions)
    marks = FeedbackMarks()
    marks_table = app.Table(topics.FEEDBACK_MARKS_TABLE, default=None, partitions=settings.topic_partitions,
                            # recovery and standby replicas feed the marks as Faust reads them
                            on_changelog_event=partial(load_changelog_event, marks),
                            key_type=bytes, value_type=bytes)
    writes = ChangelogWrites(table.changelog_topic_name, marks_table.changelog_topic_name, topics.FEEDBACK_SUBMITTED)
    store = CenterDayStore(table.data, writes.day, settings.topic_partitions)
    mark_store = MarkStore(marks, writes.block)
    counter = RatingCounter.for_registry(store, mark_store, registry, settings)
    refresher = SatisfactionRefresher.for_settings(store, registry, settings)
    lag_gauge = LagGauge(metrics.CONSUMER_LAG)
    continuity = OffsetContinuity()  # records Faust left out are read by the worker (streams/continuity.py)
    gap_reader = GapReader(settings.kafka_bootstrap_servers, settings.faust_app_id, topics.FEEDBACK_SUBMITTED,
                           kafka_client_kwargs(settings))
    export_counters_from_zero(registry)

    def owned() -> set[int]:
        return owned_partitions(app, topics.FEEDBACK_SUBMITTED)

    async def with_left_out_records(batch: list[Incoming]) -> tuple[list[Incoming], list[OffsetRange]]:
        unstarted = continuity.unstarted(batch)
        if unstarted:
            for partition, offset in (await gap_reader.next_offsets(unstarted)).items():
                continuity.start(partition, offset)
        holes = continuity.holes(batch)
        if not holes:
            return batch, holes
        found = [record for hole in holes for record in await gap_reader.read(hole)]
        metrics.RECORDS_REREAD_TOTAL.inc(len(found))
        log.warning("Faust did not hand over %s; read %d records there and counted them in offset order",
                    ", ".join(f"{topics.FEEDBACK_SUBMITTED}[{hole.partition}]@{hole.start}..{hole.stop - 1}"
                              for hole in holes), len(found))
        return in_offset_order(batch, found), holes

    async def acknowledge(holes: list[OffsetRange]) -> None:
        # Faust's own record of what may be committed: the holes' offsets are done now. Private
        # API of faust-streaming 0.15.3 (pinned); without it the commit would wait at the hole.
        for hole in holes:
            await app.consumer._add_gap(TP(topics.FEEDBACK_SUBMITTED, hole.partition), hole.start, hole.stop - 1)

    @app.on_partitions_revoked.connect
    async def forget_revoked(sender: faust.App, revoked: set[TP], **kwargs: object) -> None:
        continuity.forget(tp.partition for tp in revoked if tp.topic == topics.FEEDBACK_SUBMITTED)

    @app.on_before_shutdown.connect
    async def stop_gap_reader(sender: faust.App, **kwargs: object) -> None:
        await gap_reader.stop()

    @app.agent(submitted_topic)
    async def count_ratings(stream):
        async for events in stream.take_events(settings.rating_batch_size, within=settings.rating_batch_seconds):
            started = time.perf_counter()
            batch = []
            for event in events:
                message = event.message
                lag_gauge.taken(message.tp, message.offset)
                batch.append(Incoming(event.key, event.value, message.topic, message.partition, message.offset))
            batch, holes = await with_left_out_records(batch)
            rejected = counter.count(batch)
            misrouted = counter.take_misrouted()
            for partition, record in misrouted:
                writes.forward(partition, record.key, record.value)
            if misrouted:
                log.info("forwarded %d ratings that arrived on another partition than their center's "
                         "(a producer whose partitioner is not murmur2)", len(misrouted))
            reasons: Counter[str] = Counter()
            for record, rejection in rejected:
                dead = deadletter_record(record.value, rejection, record.topic, record.partition, record.offset,
                                         utc_now())
                await deadletter_topic.send(key=record.key, value=orjson.dumps(dead))
                reasons[rejection.reason] += 1
                log.warning("dead letter %s at %s[%s]@%s: %s", rejection.reason, record.topic,
                            record.partition, record.offset, rejection.detail)
            for reason, count in reasons.items():
                metrics.DEADLETTERS_TOTAL.labels(reason).inc(count)
            if rejected:
                metrics.EVENTS_PROCESSED_TOTAL.labels("deadletter").inc(len(rejected))
            counter.prune_if_due(time.time(), owned)
            await writes.send(app.producer)
            await acknowledge(holes)
            metrics.BATCH_PROCESSING_SECONDS.observe(time.perf_counter() - started)
            metrics.BATCH_SIZE.observe(len(events))

    @app.timer(interval=settings.metrics_refresh_seconds)
    async def refresh_satisfaction():
        partitions = owned()
        metrics.ASSIGNED_PARTITIONS.set(len(partitions))
        refresh = refresher.refresh(time.time(), partitions, counter.take_changed())
        collector.update(refresh.snapshot)
        lag_gauge.report(app, partitions)
        report_state_size(store, marks)
        for key, value in refresh.records:
            await satisfaction_topic.send(key=key, value=value)

    return app
