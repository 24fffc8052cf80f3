"""``RatingCounter``: a batch of ``feedback.submitted`` records into the center-day state.

For each record: validate (``streams.validation``), refuse it if too late or from the
future, judge its ``feedback_id`` against the marks (``streams.dedup``: new, a duplicate,
a conflicting duplicate), and count it into the ``CenterDay`` of its center and UTC day
of ``submitted_at`` (``streams.scoring``) unless that day already holds its offset.
Per batch, not per event: each touched center-day is written once, the batch's new
marks go out as one block per partition, and each metric label set is updated once.
Records that fail come back to the caller, which sends them to ``feedback.deadletter``.
A record that arrived on another partition than its center's (a producer whose
partitioner is not murmur2, such as librdkafka's default in kcat or confluent-kafka) is
not counted there: the caller forwards it to its center's partition (``take_misrouted``),
so each center is still counted from one partition, in that partition's order.
The batch's new marks are written before its center-days, and the caller waits for the
marks to reach the broker before it sends the days: a record without a mark was
therefore never counted, whatever its day's offset says.
No Faust here: the agent in ``streams.app`` hands in plain ``Incoming`` records, so the
counter is unit-tested with dict-backed stores.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable

from dost_contract.centers import CenterRegistry
from dost_contract.settings import Settings
from streams import metrics
from streams.dedup import Verdict
from streams.partitioning import centers_in_partitions, partition_for_center
from streams.scoring import CenterDay, day_key, day_start, unreachable_days
from streams.state import CenterDayStore, MarkStore
from streams.validation import CONFLICTING_DUPLICATE, Rejection, check_timeliness, parse_rating


@dataclass(frozen=True, slots=True)
class Incoming:
    """One record taken from ``feedback.submitted``: its key, value and where it came from."""

    key: bytes | None
    value: bytes | None
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class CountingLimits:
    allowed_lateness_seconds: float
    max_clock_skew_seconds: float
    dedup_horizon_seconds: float
    prune_interval_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "CountingLimits":
        return cls(settings.allowed_lateness_seconds, settings.max_clock_skew_seconds,
                   settings.dedup_ttl_seconds, settings.prune_interval_seconds)


@dataclass
class BatchOutcome:
    """What one ``count`` did, by outcome (the worker's events-processed counter)."""

    counted: int = 0
    duplicate: int = 0
    replayed: int = 0  # read again after a crash, already in its center-day
    forwarded: int = 0  # arrived on another partition than its center's: sent on to that one


class RatingCounter:
    """Counts batches into a ``CenterDayStore`` and its ``MarkStore``; prunes both; remembers what changed."""

    def __init__(self, store: CenterDayStore, marks: MarkStore, center_ids: list[str], partitions: int,
                 limits: CountingLimits) -> None:
        self.store = store
        self.marks = marks
        self.center_ids = center_ids
        self.known_centers = frozenset(center_ids)
        self.partitions = partitions
        self.limits = limits
        self.changed_centers: set[str] = set()  # counted into since the last take_changed()
        # Highest received_at seen per partition: the clock that ages the marks.
        self.received_watermarks: dict[int, float] = {}
        self.last_prune = 0.0
        self.partition_of = {center_id: partition_for_center(center_id, partitions) for center_id in center_ids}
        self.misrouted: list[tuple[int, Incoming]] = []  # (the center's partition, the record)

    @classmethod
    def for_registry(cls, store: CenterDayStore, marks: MarkStore, registry: CenterRegistry,
                     settings: Settings) -> "RatingCounter":
        return cls(store, marks, registry.ids(), settings.topic_partitions, CountingLimits.from_settings(settings))

    def count(self, batch: Iterable[Incoming]) -> list[tuple[Incoming, Rejection]]:
        """Count every valid, new rating of ``batch``; return the records to dead-letter, with why."""
        touched: dict[str, CenterDay] = {}
        rejected = []
        ratings: Counter[tuple[str, str, int]] = Counter()
        outcome = BatchOutcome()
        marks = self.marks.marks
        watermarks = self.received_watermarks
        lateness, skew = self.limits.allowed_lateness_seconds, self.limits.max_clock_skew_seconds
        for record in batch:
            result = parse_rating(record.value, self.known_centers)
            if not isinstance(result, Rejection):
                result = check_timeliness(result, lateness, skew) or result
            if isinstance(result, Rejection):
                rejected.append((record, result))
                continue
            partition, offset = record.partition, record.offset
            home = self.partition_of[result.center_id]
            if home != partition:
                self.misrouted.append((home, record))
                outcome.forwarded += 1
                continue
            if result.received_at > watermarks.get(partition, 0.0):
                watermarks[partition] = result.received_at
            verdict = marks.judge(partition, result.feedback_id, result.content, offset)
            if verdict is Verdict.DUPLICATE:
                outcome.duplicate += 1
                continue
            if verdict is Verdict.CONFLICTING:
                first = marks.first_offset(partition, result.feedback_id)
                rejected.append((record, Rejection(
                    CONFLICTING_DUPLICATE,
                    f"feedback_id was first counted at {record.topic}[{partition}]@{first} with other content "
                    f"(rating, channel, service group or comment); the first version stands")))
                continue
            unmarked = verdict is Verdict.NEW
            if unmarked:
                marks.mark(partition, result.feedback_id, result.content, offset, result.received_at)
            key = day_key(result.center_id, day_start(result.submitted_at))
            day = touched.get(key) or self.store.get(key)
            if not day.apply(result.service_group, result.submitted_at, result.rating, offset, unmarked):
                outcome.replayed += 1  # counted before a crash; only its offset commit was lost
                continue
            touched[key] = day
            ratings[(result.center_id, result.channel, result.rating)] += 1
        self.marks.flush()  # first: the caller sends the days only once these marks are on the broker
        for key, day in touched.items():
            self.store.put(key, day)
        for (center_id, channel, rating), count in ratings.items():
            self.changed_centers.add(center_id)
            metrics.RATINGS_TOTAL.labels(center_id, channel, str(rating)).inc(count)
            outcome.counted += count
        for name in ("counted", "duplicate", "replayed", "forwarded"):
            if getattr(outcome, name):
                metrics.EVENTS_PROCESSED_TOTAL.labels(name).inc(getattr(outcome, name))
        return rejected

    def take_misrouted(self) -> list[tuple[int, Incoming]]:
        """(the center's partition, the record) for each record of the last batches that arrived
        elsewhere, to forward there (and forget them)."""
        misrouted, self.misrouted = self.misrouted, []
        return misrouted

    def take_changed(self) -> set[str]:
        """The centers counted into since the last call (and forget them)."""
        changed, self.changed_centers = self.changed_centers, set()
        return changed

    def prune_if_due(self, now: float, owned_partitions: Callable[[], set[int]]) -> tuple[list[str], int] | None:
        """At most every ``prune_interval_seconds``: delete the center-days no window reaches and
        the mark blocks past the horizon, in the partitions this worker owns.
        Returns (deleted day keys, deleted blocks) if it ran."""
        if now - self.last_prune < self.limits.prune_interval_seconds:
            return None
        self.last_prune = now
        partitions = owned_partitions()
        owned = set(centers_in_partitions(self.center_ids, self.partitions, partitions))
        days = unreachable_days((key for key, _ in self.store.items_for_centers(owned)), now)
        for key in days:
            self.store.delete(key)
        blocks = sum(
            self.marks.prune(partition, self.received_watermarks[partition], self.limits.dedup_horizon_seconds)
            for partition in partitions if partition in self.received_watermarks
        )
        return days, blocks
