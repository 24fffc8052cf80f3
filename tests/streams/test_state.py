"""CenterDayStore over a plain dict and a recorded changelog: decoding, writes, partitions, scans."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

from streams.partitioning import partition_for_center
from streams.scoring import ALL_GROUPS, DAY_SECONDS, HOUR_SECONDS, CenterDay, Tally, day_key, day_start
from streams.state import CenterDayStore, ChangelogWrites

PARTITIONS = 6
NOW = datetime(2026, 3, 10, 12, 30, tzinfo=timezone.utc).timestamp()
TODAY = day_start(NOW)


def new_store(data: dict | None = None, partitions: int = PARTITIONS) -> tuple[CenterDayStore, dict, list]:
    data = {} if data is None else data
    changelog: list[tuple[int, str, CenterDay | None]] = []
    store = CenterDayStore(data, lambda partition, key, day: changelog.append((partition, key, day)), partitions)
    return store, data, changelog


def day_with(*ratings: tuple[int, int], start: int = TODAY) -> CenterDay:
    """A day holding (source offset, rating) pairs, an hour apart."""
    day = CenterDay()
    for index, (offset, rating) in enumerate(ratings):
        day.apply(None, start + index * HOUR_SECONDS, rating, offset)
    return day


def as_recovered(day: CenterDay) -> dict:
    """What Faust hands back when it recovers a changelog record: plain JSON."""
    return json.loads(json.dumps(day.__json__()))


def test_the_registry_centers_used_here_land_in_known_partitions():
    assert partition_for_center("baku-1", PARTITIONS) == 5
    assert partition_for_center("karabakh-shusha", PARTITIONS) == 1
    assert partition_for_center("smart-agali", PARTITIONS) == 5


def test_get_of_a_missing_key_is_an_empty_day_and_stores_nothing():
    store, data, changelog = new_store()
    day = store.get(day_key("baku-1", TODAY))
    assert day == CenterDay() and day.hours == {} and day.offset == -1
    assert data == {} and changelog == []


def test_get_of_a_none_value_is_an_empty_day():
    store, data, _ = new_store({day_key("baku-1", TODAY): None})
    assert store.get(day_key("baku-1", TODAY)) == CenterDay()


def test_a_recovered_json_value_is_decoded_once_and_kept_as_the_object():
    original = day_with((1, 5), (2, 2))
    key = day_key("baku-1", TODAY)
    store, data, changelog = new_store({key: as_recovered(original)})
    first = store.get(key)
    assert isinstance(first, CenterDay)
    assert first == original and first.offset == 2 and first.tally(ALL_GROUPS, 0, 23) == Tally(2, 1)
    assert data[key] is first  # replaced in the mapping: the next get does not decode again
    assert store.get(key) is first
    assert changelog == []  # decoding is not a write


def test_put_keeps_the_object_and_writes_it_to_the_partition_of_its_center():
    store, data, changelog = new_store()
    day = day_with((1, 5))
    key = day_key("karabakh-shusha", TODAY)
    store.put(key, day)
    assert data[key] is day
    assert changelog == [(1, key, day)]
    assert changelog[0][2] is day


def test_put_uses_the_stores_partition_count():
    store, _, changelog = new_store(partitions=12)
    key = day_key("baku-1", TODAY)
    store.put(key, CenterDay())
    assert changelog == [(partition_for_center("baku-1", 12), key, CenterDay())]


def test_delete_removes_the_key_and_writes_a_tombstone():
    key = day_key("smart-agali", TODAY - 40 * DAY_SECONDS)
    store, data, changelog = new_store({key: day_with((1, 4))})
    store.delete(key)
    assert key not in data
    assert changelog == [(5, key, None)]


def test_delete_of_a_missing_key_still_writes_a_tombstone():
    store, data, changelog = new_store()
    key = day_key("baku-1", TODAY)
    store.delete(key)
    assert data == {} and changelog == [(5, key, None)]


def test_days_for_window_returns_the_centers_days_the_30d_window_can_reach():
    reachable_oldest = TODAY - 30 * DAY_SECONDS  # the 30d window starts 13:00 on that day
    data = {
        day_key("baku-1", TODAY): day_with((10, 5)),
        day_key("baku-1", TODAY - DAY_SECONDS): as_recovered(day_with((11, 1))),
        day_key("baku-1", reachable_oldest): day_with((12, 3)),
        day_key("baku-1", reachable_oldest - DAY_SECONDS): day_with((13, 3)),
        day_key("baku-2", TODAY): day_with((14, 5)),
    }
    store, data, changelog = new_store(data)
    days = store.days_for_window("baku-1", NOW)
    assert sorted(days) == [reachable_oldest, TODAY - DAY_SECONDS, TODAY]
    assert days[TODAY - DAY_SECONDS].offset == 11
    assert isinstance(days[TODAY - DAY_SECONDS], CenterDay)  # decoded on the way
    assert days[TODAY] is data[day_key("baku-1", TODAY)]
    assert changelog == []


def test_days_for_window_of_a_center_without_days_is_empty():
    store, _, _ = new_store({day_key("baku-1", TODAY): CenterDay()})
    assert store.days_for_window("baku-2", NOW) == {}


def test_items_for_centers_yields_only_those_centers_decoded():
    data = {
        day_key("baku-1", TODAY): as_recovered(day_with((1, 5))),
        day_key("baku-1", TODAY - DAY_SECONDS): day_with((2, 5)),
        day_key("baku-2", TODAY): day_with((3, 5)),
        day_key("smart-agali", TODAY): day_with((4, 1)),
    }
    store, _, _ = new_store(data)
    items = dict(store.items_for_centers({"baku-1", "smart-agali"}))
    assert sorted(items) == sorted(
        [day_key("baku-1", TODAY), day_key("baku-1", TODAY - DAY_SECONDS), day_key("smart-agali", TODAY)]
    )
    assert all(isinstance(day, CenterDay) for day in items.values())
    assert items[day_key("baku-1", TODAY)].offset == 1
    assert list(store.items_for_centers(set())) == []


def test_items_for_centers_allows_deleting_while_iterating():
    data = {day_key("baku-1", TODAY - n * DAY_SECONDS): CenterDay() for n in range(3)}
    store, data, changelog = new_store(data)
    for key, _ in store.items_for_centers({"baku-1"}):
        store.delete(key)
    assert data == {}
    assert len(changelog) == 3 and all(day is None for _, _, day in changelog)


class RecordingProducer:
    """Stands in for Faust's producer: records each send and returns a done future."""

    def __init__(self) -> None:
        self.sent: list[tuple] = []

    async def send(self, topic, key, value, partition, timestamp, headers):
        self.sent.append((topic, partition, key, value))
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


def test_changelog_writes_send_days_as_the_json_the_tables_codec_reads_back_and_blocks_raw():
    from faust.serializers import codecs

    writes = ChangelogWrites("app-center-days-changelog", "app-feedback-marks-changelog", "feedback.submitted")
    store = CenterDayStore({}, writes.day, PARTITIONS)
    key = day_key("baku-1", TODAY)
    day = day_with((1, 5))
    store.put(key, day)
    store.delete(key)
    writes.block(5, b"5:1", b"block")
    producer = RecordingProducer()
    asyncio.run(writes.send(producer))
    [block, (topic, partition, sent_key, value), tombstone] = producer.sent  # the marks first
    assert (topic, partition, tombstone[3]) == ("app-center-days-changelog", 5, None)
    # What recovery does with the bytes: the table's json codec, then CenterDay.from_json.
    assert codecs.loads("json", sent_key) == key and codecs.dumps("json", key) == sent_key
    assert CenterDay.from_json(codecs.loads("json", value)) == day
    assert block == ("app-feedback-marks-changelog", 5, b"5:1", b"block")
    asyncio.run(writes.send(producer))
    assert len(producer.sent) == 3  # sent once


class HeldProducer(RecordingProducer):
    """Acknowledges nothing until ``release``: a broker that is slow to answer."""

    def __init__(self) -> None:
        super().__init__()
        self.unanswered: list[asyncio.Future] = []

    async def send(self, topic, key, value, partition, timestamp, headers):
        self.sent.append((topic, partition, key, value))
        answer = asyncio.get_running_loop().create_future()
        self.unanswered.append(answer)
        return answer

    def release(self) -> None:
        for answer in self.unanswered:
            if not answer.done():
                answer.set_result(None)


def test_the_days_and_forwarded_ratings_go_out_only_once_the_broker_has_acknowledged_the_marks():
    """A center-day on the broker must imply the marks of what it counts (streams.counting)."""
    writes = ChangelogWrites("app-center-days-changelog", "app-feedback-marks-changelog", "feedback.submitted")
    CenterDayStore({}, writes.day, PARTITIONS).put(day_key("baku-1", TODAY), day_with((1, 5)))
    writes.forward(2, b"baku-1", b"{}")
    writes.block(5, b"5:1", b"block")
    producer = HeldProducer()

    async def scenario() -> tuple[list[str], list[str]]:
        sending = asyncio.create_task(writes.send(producer))
        await asyncio.sleep(0.05)
        before = [topic for topic, *_ in producer.sent]
        producer.release()
        await sending
        return before, [topic for topic, *_ in producer.sent]

    before, after = asyncio.run(scenario())
    assert before == ["app-feedback-marks-changelog"]
    assert after == ["app-feedback-marks-changelog", "app-center-days-changelog", "feedback.submitted"]
