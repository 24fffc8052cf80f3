"""``RatingCounter``: a batch of ``feedback.submitted`` records into the center-day state.

For each record: validate (``streams.validation``), refuse it if too late or from the
future, and count it once into the ``CenterDay`` of its center and UTC day of
``submitted_at`` (``streams.scoring``). Each touched center-day is written to the table
and its changelog once per batch. Records that fail come back to the caller, which sends
them to ``feedback.deadletter``. No Faust here: the agent in ``streams.app`` hands in
plain ``Incoming`` records, so the counter is unit-tested with a dict-backed store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from dost_contract.centers import CenterRegistry
from dost_contract.settings import Settings
from streams import metrics
from streams.partitioning import centers_in_partitions, partition_for_center
from streams.scoring import PrunePlan, day_key, day_start, parse_day_key, prune_plan
from streams.state import CenterDayStore
from streams.validation import Rejection, check_timeliness, validate_record


@dataclass(frozen=True)
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
    dedup_ttl_seconds: float
    prune_interval_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "CountingLimits":
        return cls(settings.allowed_lateness_seconds, settings.max_clock_skew_seconds,
                   settings.dedup_ttl_seconds, settings.prune_interval_seconds)


class RatingCounter:
    """Counts batches into a ``CenterDayStore`` and prunes it; remembers what changed."""

    def __init__(self, store: CenterDayStore, center_ids: list[str], partitions: int, limits: CountingLimits) -> None:
        self.store = store
        self.center_ids = center_ids
        self.known_centers = frozenset(center_ids)
        self.partitions = partitions
        self.limits = limits
        self.changed_centers: set[str] = set()  # counted into since the last take_changed()
        # Highest received_at seen per partition: the clock that ages de-duplication ids.
        self.received_watermarks: dict[int, float] = {}
        self.last_prune = 0.0

    @classmethod
    def for_registry(cls, store: CenterDayStore, registry: CenterRegistry, settings: Settings) -> "RatingCounter":
        return cls(store, registry.ids(), settings.topic_partitions, CountingLimits.from_settings(settings))

    def count(self, batch: Iterable[Incoming]) -> list[tuple[Incoming, Rejection]]:
        """Count every valid, new rating of ``batch``; return the records to dead-letter, with why."""
        touched = {}
        rejected = []
        for record in batch:
            result = validate_record(record.value, self.known_centers)
            if not isinstance(result, Rejection):
                result = check_timeliness(
                    result, self.limits.allowed_lateness_seconds, self.limits.max_clock_skew_seconds
                ) or result
            if isinstance(result, Rejection):
                rejected.append((record, result))
                continue
            received = result.received_at.timestamp()
            if received > self.received_watermarks.get(record.partition, 0.0):
                self.received_watermarks[record.partition] = received
            submitted = result.submitted_at.timestamp()
            key = day_key(result.center_id, day_start(submitted))
            day = touched.get(key) or self.store.get(key)
            group = result.service_group.value if result.service_group else None
            if not day.apply(str(result.feedback_id), group, submitted, result.rating):
                metrics.EVENTS_PROCESSED_TOTAL.labels("duplicate").inc()
                continue
            touched[key] = day
            self.changed_centers.add(result.center_id)
            metrics.RATINGS_TOTAL.labels(result.center_id, result.channel.value, str(result.rating)).inc()
            metrics.EVENTS_PROCESSED_TOTAL.labels("counted").inc()
        for key, day in touched.items():
            self.store.put(key, day)
        return rejected

    def take_changed(self) -> set[str]:
        """The centers counted into since the last call (and forget them)."""
        changed, self.changed_centers = self.changed_centers, set()
        return changed

    def prune_if_due(self, now: float, owned_partitions: Callable[[], set[int]]) -> PrunePlan | None:
        """At most every ``prune_interval_seconds``: forget old ids and delete unreachable days
        of the centers in the partitions this worker owns. Returns what was pruned, if it ran."""
        if now - self.last_prune < self.limits.prune_interval_seconds:
            return None
        self.last_prune = now
        owned = set(centers_in_partitions(self.center_ids, self.partitions, owned_partitions()))
        items = (
            (key, day, self.received_watermarks.get(partition_for_center(parse_day_key(key)[0], self.partitions)))
            for key, day in self.store.items_for_centers(owned)
        )
        plan = prune_plan(items, now, self.limits.dedup_ttl_seconds)
        for key in plan.forget_ids:
            day = self.store.get(key)
            day.ids.clear()
            self.store.put(key, day)
        for key in plan.delete:
            self.store.delete(key)
        return plan
