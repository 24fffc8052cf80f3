"""RatingCounter over a dict-backed CenterDayStore: counting, de-duplication, rejections, watermarks, pruning."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import pytest
from prometheus_client import REGISTRY

from dost_contract import metric_names
from dost_contract.centers import load_registry
from dost_contract.events import Channel, FeedbackSubmitted, ServiceGroup
from dost_contract.settings import Settings
from streams.counting import CountingLimits, Incoming, RatingCounter
from streams.partitioning import partition_for_center
from streams.scoring import ALL_GROUPS, DAY_SECONDS, HOUR_SECONDS, CenterDay, day_key, day_start
from streams.state import CenterDayStore

TOPIC = "feedback.submitted"
NOW = datetime(2026, 3, 10, 12, 30, tzinfo=timezone.utc).timestamp()
TODAY = day_start(NOW)
SETTINGS = Settings()
REGISTRY_CENTERS = load_registry(SETTINGS)


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def rating_bytes(center_id="baku-1", rating=5, submitted=NOW, received=None, feedback_id=None,
                 group=None, channel=Channel.KIOSK) -> bytes:
    return FeedbackSubmitted(
        feedback_id=feedback_id or uuid.uuid4(), center_id=center_id, service_group=group, channel=channel,
        rating=rating, submitted_at=at(submitted), received_at=at(submitted + 1 if received is None else received),
    ).model_dump_json().encode()


def incoming(value: bytes | None, center_id="baku-1", offset=0, partition=None) -> Incoming:
    if partition is None:
        partition = partition_for_center(center_id, SETTINGS.topic_partitions)
    return Incoming(center_id.encode(), value, TOPIC, partition, offset)


def rated(center_id="baku-1", offset=0, **fields) -> Incoming:
    return incoming(rating_bytes(center_id, **fields), center_id, offset)


class Worker:
    """A counter on a dict-backed store whose changelog writes are recorded as the JSON Faust would send."""

    def __init__(self, data: dict | None = None) -> None:
        self.data = {} if data is None else data
        self.changelog: list[tuple[int, str, dict | None]] = []
        self.store = CenterDayStore(self.data, self._write, SETTINGS.topic_partitions)
        self.counter = RatingCounter.for_registry(self.store, REGISTRY_CENTERS, SETTINGS)

    def _write(self, partition: int, key: str, day: CenterDay | None) -> None:
        self.changelog.append((partition, key, None if day is None else json.loads(json.dumps(day.__json__()))))

    def recovered(self) -> dict:
        """The table a restarted worker recovers from this changelog: the last value per key, as JSON."""
        table = {}
        for _, key, value in self.changelog:
            if value is None:
                table.pop(key, None)
            else:
                table[key] = value
        return table


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def counted(center_id: str, channel: str, rating: int) -> float:
    return metric(metric_names.FEEDBACK_RATINGS_TOTAL, center_id=center_id, channel=channel, rating=str(rating))


def outcome(name: str) -> float:
    return metric(metric_names.WORKER_EVENTS_PROCESSED_TOTAL, outcome=name)


def test_a_valid_rating_is_counted_once_into_its_center_day():
    worker = Worker()
    before = counted("baku-1", "kiosk", 5), outcome("counted")
    assert worker.counter.count([rated(rating=5, group=ServiceGroup.PENSIONS)]) == []
    day = worker.store.get(day_key("baku-1", TODAY))
    hour = int(NOW - TODAY) // HOUR_SECONDS
    assert day.tally(ALL_GROUPS, 0, 23).ratings == 1 and day.tally(ALL_GROUPS, hour, hour).satisfied == 1
    assert day.tally("pensions", 0, 23).ratings == 1 and len(day.ids) == 1
    assert (counted("baku-1", "kiosk", 5), outcome("counted")) == (before[0] + 1, before[1] + 1)


def test_a_duplicate_feedback_id_is_not_counted_and_increments_nothing_but_duplicates():
    worker = Worker()
    feedback_id = uuid.uuid4()
    worker.counter.count([rated(feedback_id=feedback_id, rating=2, channel=Channel.SMS)])
    worker.counter.take_changed()
    writes = len(worker.changelog)
    before = counted("baku-1", "sms", 2), outcome("counted"), outcome("duplicate")
    again = rated(feedback_id=feedback_id, rating=2, channel=Channel.SMS, submitted=NOW + 60)  # same center-day
    assert worker.counter.count([again, again]) == []
    assert worker.store.get(day_key("baku-1", TODAY)).tally(ALL_GROUPS, 0, 23).ratings == 1
    assert (counted("baku-1", "sms", 2), outcome("counted")) == before[:2]
    assert outcome("duplicate") == before[2] + 2
    assert len(worker.changelog) == writes  # nothing new to write
    assert worker.counter.take_changed() == set()


def test_a_duplicate_within_one_batch_is_counted_once():
    worker = Worker()
    feedback_id = uuid.uuid4()
    worker.counter.count([rated(feedback_id=feedback_id, offset=n) for n in range(3)])
    assert worker.store.get(day_key("baku-1", TODAY)).tally(ALL_GROUPS, 0, 23).ratings == 1
    assert len(worker.changelog) == 1


def test_each_touched_center_day_is_written_once_per_batch_with_its_final_counts():
    worker = Worker()
    batch = [rated("baku-1", n, rating=5) for n in range(5)]
    batch += [rated("baku-1", 5 + n, rating=1, submitted=NOW - DAY_SECONDS) for n in range(3)]
    batch += [rated("karabakh-shusha", 8 + n, rating=4) for n in range(2)]
    worker.counter.count(batch)
    assert sorted((partition, key) for partition, key, _ in worker.changelog) == [
        (1, day_key("karabakh-shusha", TODAY)),
        (5, day_key("baku-1", TODAY - DAY_SECONDS)),
        (5, day_key("baku-1", TODAY)),
    ]
    written = {key: CenterDay.from_json(value) for _, key, value in worker.changelog}
    assert written[day_key("baku-1", TODAY)].tally(ALL_GROUPS, 0, 23).ratings == 5
    assert written[day_key("baku-1", TODAY - DAY_SECONDS)].tally(ALL_GROUPS, 0, 23).satisfied == 0
    assert written[day_key("karabakh-shusha", TODAY)].tally(ALL_GROUPS, 0, 23).satisfied == 2
    worker.counter.count([rated("baku-1", 10)])  # the next batch writes its own day again
    assert len(worker.changelog) == 4


LATENESS = SETTINGS.allowed_lateness_seconds
SKEW = SETTINGS.max_clock_skew_seconds


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "empty"),
        (b"{not json", "not_json"),
        (json.dumps({"center_id": "baku-1", "rating": 9}).encode(), "invalid_schema"),
        (rating_bytes("nowhere-1"), "unknown_center"),
        (rating_bytes(submitted=NOW - LATENESS - 1, received=NOW), "too_late"),
        (rating_bytes(submitted=NOW + SKEW + 1, received=NOW), "in_future"),
    ],
)
def test_a_bad_record_comes_back_with_its_reason_and_is_not_counted(value, reason):
    worker = Worker()
    record = Incoming(b"some-key", value, TOPIC, 3, 4711)
    [(returned, rejection)] = worker.counter.count([record])
    assert returned is record and (returned.key, returned.topic, returned.partition, returned.offset) == (
        b"some-key", TOPIC, 3, 4711)
    assert rejection.reason == reason and rejection.detail
    assert worker.data == {} and worker.changelog == []
    assert worker.counter.take_changed() == set() and worker.counter.received_watermarks == {}


def test_lateness_is_received_minus_submitted_and_its_limits_are_inclusive():
    worker = Worker()
    on_the_edge = [rated(submitted=NOW - LATENESS, received=NOW, offset=0),
                   rated(submitted=NOW + SKEW, received=NOW, offset=1)]
    assert worker.counter.count(on_the_edge) == []
    # 2 days ago by the clock but received 1 s after submission: on time
    assert worker.counter.count([rated(submitted=NOW - 2 * DAY_SECONDS, offset=2)]) == []
    assert len(worker.data) == 3


def test_rejections_keep_batch_order_and_the_valid_records_between_them_are_counted():
    worker = Worker()
    bad_json, unknown = incoming(b"[", offset=1), rated("nowhere-1", offset=3)
    result = worker.counter.count([rated(offset=0), bad_json, rated(offset=2), unknown])
    assert [(record, rejection.reason) for record, rejection in result] == [(bad_json, "not_json"),
                                                                             (unknown, "unknown_center")]
    assert worker.store.get(day_key("baku-1", TODAY)).tally(ALL_GROUPS, 0, 23).ratings == 2


def test_received_at_watermarks_are_the_highest_seen_per_partition_of_the_record():
    worker = Worker()
    feedback_id = uuid.uuid4()
    worker.counter.count([
        rated("baku-1", 0, submitted=NOW - 100, received=NOW - 50, feedback_id=feedback_id),
        rated("karabakh-shusha", 1, submitted=NOW - 10, received=NOW),
        incoming(rating_bytes("baku-2", received=NOW + 7), "baku-2", 2, partition=4),  # the record's partition
        rated("baku-1", 3, submitted=NOW - 300, received=NOW - 200),  # older: the watermark stays
    ])
    assert worker.counter.received_watermarks == {5: NOW - 50, 1: NOW, 4: NOW + 7}
    # A duplicate is still a record received: it moves the watermark (before the id check).
    worker.counter.count([rated("baku-1", 4, submitted=NOW - 100, received=NOW + 30, feedback_id=feedback_id)])
    assert worker.counter.received_watermarks[5] == NOW + 30
    assert worker.store.get(day_key("baku-1", TODAY)).tally(ALL_GROUPS, 0, 23).ratings == 2


def test_take_changed_returns_the_counted_centers_and_clears_them():
    worker = Worker()
    worker.counter.count([rated("baku-1", 0), rated("smart-agali", 1), rated("baku-1", 2), incoming(b"x")])
    assert worker.counter.take_changed() == {"baku-1", "smart-agali"}
    assert worker.counter.take_changed() == set()
    worker.counter.count([rated("baku-2", 3)])
    assert worker.counter.take_changed() == {"baku-2"}


def test_counting_limits_come_from_the_settings():
    assert CountingLimits.from_settings(SETTINGS) == CountingLimits(72 * 3600, 300, 7 * 24 * 3600, 60.0)


class Owned:
    """The owned-partitions callable; counts how often the counter asked."""

    def __init__(self, partitions: set[int]) -> None:
        self.partitions, self.calls = partitions, 0

    def __call__(self) -> set[int]:
        self.calls += 1
        return self.partitions


def test_prune_runs_at_most_once_per_interval_and_only_then_asks_for_ownership():
    worker = Worker()
    owned = Owned({5})
    assert worker.counter.prune_if_due(NOW, owned) is not None
    assert worker.counter.prune_if_due(NOW + 59.9, owned) is None
    assert owned.calls == 1
    assert worker.counter.prune_if_due(NOW + 60, owned) is not None
    assert owned.calls == 2 and worker.counter.last_prune == NOW + 60


def test_prune_forgets_ids_by_the_partition_watermark_not_the_clock():
    worker = Worker()
    old_start = TODAY - 10 * DAY_SECONDS
    old_key = day_key("baku-1", old_start)
    worker.counter.count([rated("baku-1", 0, submitted=old_start + HOUR_SECONDS, rating=4)])
    # The clock is 10 days on, but the partition's received_at watermark is still on that day.
    plan = worker.counter.prune_if_due(NOW, Owned({5}))
    assert plan.forget_ids == [] and plan.delete == []
    assert worker.store.get(old_key).ids != set()
    # A fresh rating for another center of partition 5 moves the watermark past day + TTL.
    worker.counter.count([rated("smart-agali", 1, submitted=old_start + DAY_SECONDS + SETTINGS.dedup_ttl_seconds)])
    writes = len(worker.changelog)
    plan = worker.counter.prune_if_due(NOW + 60, Owned({5}))
    assert plan.forget_ids == [old_key] and plan.delete == []
    day = worker.store.get(old_key)
    assert day.ids == set() and day.tally(ALL_GROUPS, 0, 23).satisfied == 1  # the counts stay
    assert worker.changelog[writes:] == [(5, old_key, {"hours": day.hours, "ids": []})]


def test_prune_deletes_only_owned_days_that_no_window_can_reach():
    worker = Worker()
    reachable, gone = TODAY - 30 * DAY_SECONDS, TODAY - 31 * DAY_SECONDS
    worker.counter.count([
        rated("baku-1", 0, submitted=gone + HOUR_SECONDS),
        rated("baku-1", 1, submitted=reachable + HOUR_SECONDS),
        rated("baku-2", 2, submitted=gone + HOUR_SECONDS),  # partition 1: not owned here
    ])
    writes = len(worker.changelog)
    plan = worker.counter.prune_if_due(NOW, Owned({5}))
    assert plan.delete == [day_key("baku-1", gone)] and plan.forget_ids == []
    assert sorted(worker.data) == sorted([day_key("baku-1", reachable), day_key("baku-2", gone)])
    assert worker.changelog[writes:] == [(5, day_key("baku-1", gone), None)]


def test_prune_with_no_owned_partitions_touches_nothing():
    worker = Worker()
    worker.counter.count([rated("baku-1", 0, submitted=TODAY - 40 * DAY_SECONDS)])
    writes = len(worker.changelog)
    plan = worker.counter.prune_if_due(NOW, Owned(set()))
    assert (plan.forget_ids, plan.delete) == ([], [])
    assert len(worker.data) == 1 and len(worker.changelog) == writes


def test_a_restarted_counter_over_the_recovered_state_refuses_a_redelivered_id():
    first = Worker()
    record = rated("karabakh-shusha", 0, rating=3)
    first.counter.count([record, rated("karabakh-shusha", 1, rating=5)])
    restarted = Worker(first.recovered())  # plain JSON dicts, as Faust recovers the changelog
    key = day_key("karabakh-shusha", TODAY)
    assert isinstance(restarted.data[key], dict)
    before = outcome("duplicate")
    assert restarted.counter.count([record]) == []
    assert outcome("duplicate") == before + 1
    assert restarted.changelog == [] and restarted.counter.take_changed() == set()
    day = restarted.store.get(key)
    assert day.tally(ALL_GROUPS, 0, 23) == first.store.get(key).tally(ALL_GROUPS, 0, 23)
    assert day.tally(ALL_GROUPS, 0, 23).ratings == 2
    restarted.counter.count([rated("karabakh-shusha", 2, rating=5)])  # a new id still counts
    assert restarted.store.get(key).tally(ALL_GROUPS, 0, 23).ratings == 3
