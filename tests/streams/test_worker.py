"""The Faust worker against a real broker: event time, de-duplication, dead letters, recovery."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from dost_contract import topics
from dost_contract.events import FeedbackSubmitted
from tests.conftest import metric_value, read_topic, wait_for

pytestmark = pytest.mark.services


def rating_event(
    center_id: str, rating: int, submitted_at: datetime, feedback_id: uuid.UUID | None = None,
    received_at: datetime | None = None, service_group: str | None = None,
) -> bytes:
    return FeedbackSubmitted(
        feedback_id=feedback_id or uuid.uuid4(), center_id=center_id, channel="kiosk", rating=rating,
        submitted_at=submitted_at, received_at=received_at or datetime.now(timezone.utc),
        service_group=service_group,
    ).model_dump_json().encode()


def send(producer, center_id: str, value: bytes) -> None:
    producer.send(topics.FEEDBACK_SUBMITTED, key=center_id.encode(), value=value)
    producer.flush()


def windows(worker, center_id: str) -> dict[str, tuple[float | None, float | None]]:
    text = httpx.get(worker.url).text
    return {
        window: (
            metric_value(text, "dost_center_ratings", center_id=center_id, window=window),
            metric_value(text, "dost_center_satisfied", center_id=center_id, window=window),
        )
        for window in ("1h", "24h", "7d", "30d")
    }


def wait_for_windows(worker, center_id, expected, timeout=30):
    seen = []

    def matches():
        seen.append(windows(worker, center_id))
        return seen[-1] == expected

    try:
        wait_for(matches, timeout, f"{center_id} windows == {expected}")
    except BaseException:
        raise AssertionError(f"{center_id}: expected {expected}, last seen {seen[-1] if seen else None}") from None


def test_windows_follow_event_time_not_arrival_time(worker, producer):
    center = "baku-4"  # not baku-5: the end-to-end test needs it to get only satisfied ratings
    before = windows(worker, center)
    now = datetime.now(timezone.utc)
    send(producer, center, rating_event(center, 5, now))
    send(producer, center, rating_event(center, 1, now - timedelta(hours=30)))  # late SMS: 24h misses it
    ten_days_ago = now - timedelta(days=10)
    # Received an hour after the visit, ten days ago (a backlog replayed now): only the 30d window.
    send(producer, center, rating_event(center, 4, ten_days_ago, received_at=ten_days_ago + timedelta(hours=1)))
    expected = {}
    for window, (ratings, satisfied) in before.items():
        add_ratings, add_satisfied = {"1h": (1, 1), "24h": (1, 1), "7d": (2, 1), "30d": (3, 2)}[window]
        expected[window] = ((ratings or 0) + add_ratings, (satisfied or 0) + add_satisfied)
    wait_for_windows(worker, center, expected)
    text = httpx.get(worker.url).text
    ratio_24h = metric_value(text, "dost_center_satisfaction_ratio", center_id=center, window="24h")
    assert ratio_24h == pytest.approx(expected["24h"][1] / expected["24h"][0])
    assert metric_value(text, "dost_center_satisfaction_target", center_id=center) == 0.985


def test_duplicate_delivery_counts_once(worker, producer):
    center = "baku-6"
    before = windows(worker, center)["24h"]
    counted_before = metric_value(httpx.get(worker.url).text, "dost_worker_events_processed_total", outcome="duplicate") or 0
    value = rating_event(center, 5, datetime.now(timezone.utc))
    for _ in range(3):
        send(producer, center, value)
    expected = ((before[0] or 0) + 1, (before[1] or 0) + 1)
    wait_for(lambda: windows(worker, center)["24h"] == expected, 30, "one count for three deliveries")
    wait_for(
        lambda: metric_value(httpx.get(worker.url).text, "dost_worker_events_processed_total", outcome="duplicate")
        == counted_before + 2,
        15, "two duplicates recorded",
    )
    assert windows(worker, center)["24h"] == expected


def test_invalid_and_too_late_events_go_to_the_dead_letter_topic_with_a_reason(worker, producer, services_settings):
    marker = str(uuid.uuid4())
    now = datetime.now(timezone.utc)
    send(producer, "baku-1", json.dumps({"feedback_id": marker, "center_id": "baku-1", "rating": 9}).encode())
    send(producer, "mars-1", rating_event("mars-1", 5, now, uuid.UUID(marker)))
    send(producer, "baku-1", b"not json at all " + marker.encode())
    # Submitted 73 h before it reached the web: beyond the default 72 h lateness.
    send(producer, "baku-1", rating_event("baku-1", 5, now - timedelta(hours=73), uuid.UUID(marker)))
    send(producer, "baku-1", rating_event("baku-1", 5, now + timedelta(hours=1), uuid.UUID(marker)))

    def letters():
        return [v for _, v in read_topic(services_settings, topics.FEEDBACK_DEADLETTER) if marker in (v["original"] or "")]

    found = wait_for(lambda: len(letters()) == 5 and letters(), 30, "five dead letters")
    assert sorted(letter["reason"] for letter in found) == [
        "in_future", "invalid_schema", "not_json", "too_late", "unknown_center"
    ]
    assert all(letter["source"]["topic"] == topics.FEEDBACK_SUBMITTED for letter in found)
    text = httpx.get(worker.url).text
    assert metric_value(text, "dost_worker_deadletters_total", reason="unknown_center") >= 1


def test_service_group_windows_are_exported(worker, producer):
    center = "karabakh-shusha"
    now = datetime.now(timezone.utc)
    text = httpx.get(worker.url).text
    before = metric_value(text, "dost_service_group_ratings", center_id=center, service_group="disability", window="24h") or 0
    send(producer, center, rating_event(center, 5, now, service_group="disability"))
    send(producer, center, rating_event(center, 2, now, service_group="disability"))
    wait_for(
        lambda: metric_value(httpx.get(worker.url).text, "dost_service_group_ratings", center_id=center,
                             service_group="disability", window="24h") == before + 2,
        30, "service-group ratings",
    )
    text = httpx.get(worker.url).text
    assert metric_value(text, "dost_service_group_satisfied", center_id=center, service_group="disability",
                        window="7d") >= 1


def test_registry_gauges_give_region_kind_and_opening_hours(worker, services_settings):
    from dost_contract.centers import load_registry
    from dost_contract.opening_hours import is_open, load_timezone

    registry = load_registry(services_settings)
    zone = load_timezone(services_settings.centers_timezone)
    text = httpx.get(worker.url).text
    for center in registry.centers:
        assert metric_value(text, "dost_center_info", center_id=center.center_id, region=center.region,
                            kind=center.kind.value) == 1, center.center_id
        assert metric_value(text, "dost_center_open_hours_per_week", center_id=center.center_id) == (
            center.hours.hours_per_week
        )
        # The gauge was set at the last refresh (1 s ago): compare with "now" unless at a boundary.
        expected = {is_open(center.hours, datetime.now(timezone.utc) - timedelta(seconds=s), zone) for s in (0, 3)}
        if len(expected) == 1:
            assert metric_value(text, "dost_center_open", center_id=center.center_id) == float(expected.pop())
    # Every reason's dead-letter counter exists from the start, so the first one is an increase.
    assert metric_value(text, "dost_worker_deadletters_total", reason="empty") == 0  # no test sends one
    # ... and every rating counter, so the burn-rate rules' increase() sees the first ratings.
    missing = [
        (center.center_id, channel, rating)
        for center in registry.centers
        for channel in ("kiosk", "sms", "web")
        for rating in "12345"
        if metric_value(text, "dost_feedback_ratings_total", center_id=center.center_id, channel=channel,
                        rating=rating) is None
    ]
    assert not missing, f"rating counters not exported from the start: {missing[:5]}"


def test_center_satisfaction_topic_carries_the_windows(worker, producer, services_settings):
    center = "karabakh-barda"
    send(producer, center, rating_event(center, 5, datetime.now(timezone.utc)))

    def latest_with_a_rating():
        records = [v for k, v in read_topic(services_settings, topics.CENTER_SATISFACTION) if k == center.encode()]
        return records and records[-1]["windows"]["24h"]["ratings"] >= 1 and records[-1]

    record = wait_for(latest_with_a_rating, 30, "a center.satisfaction record with the new rating")
    assert set(record["windows"]) == {"1h", "24h", "7d", "30d"}
    assert record["target"] == 0.985
    assert record["center_id"] == center
    assert record["windows"]["24h"]["satisfaction_ratio"] == pytest.approx(
        record["windows"]["24h"]["satisfied"] / record["windows"]["24h"]["ratings"]
    )


def records_in_topic(settings, topic: str) -> int:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def events_processed(worker) -> float:
    text = httpx.get(worker.url).text
    return sum(
        metric_value(text, "dost_worker_events_processed_total", outcome=outcome) or 0
        for outcome in ("counted", "duplicate", "deadletter")
    )


def test_state_survives_sigkill_through_the_changelog(worker, producer, services_settings):
    center = "baku-4"
    send(producer, center, rating_event(center, 2, datetime.now(timezone.utc)))
    # Snapshot only once the worker has processed every record ever written.
    wait_for(
        lambda: events_processed(worker) == records_in_topic(services_settings, topics.FEEDBACK_SUBMITTED),
        30, "worker caught up with feedback.submitted",
    )
    # The window gauges are recomputed every metrics_refresh_seconds: let one refresh pass.
    time.sleep(2 * services_settings.metrics_refresh_seconds + 0.5)
    before = windows(worker, center)
    assert (before["24h"][0] or 0) >= 1
    worker.kill()
    worker.start(timeout=120)
    wait_for(
        lambda: metric_value(httpx.get(worker.url).text, "dost_worker_assigned_partitions")
        == services_settings.topic_partitions,
        60, "restarted worker owns every partition",
    )
    wait_for_windows(worker, center, before, timeout=60)
