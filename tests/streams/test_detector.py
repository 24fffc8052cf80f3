"""The change detectors over hourly buckets: maths, the latch, and deterministic recomputation."""

from __future__ import annotations

import random

import pytest

from dost_contract.change_detection import LARGE_DROP, SHIPPED_DETECTORS, SMALL_DROP, DetectorSpec
from streams.detector import DetectorState, center_readings, hourly_buckets, run_detector
from streams.scoring import DAY_SECONDS, HOUR_SECONDS, CenterDay, day_start

SPEC = DetectorSpec("t", p1=0.1, unhappy_points=10, satisfied_points=1, page_points=30, reset_points=10, cap_points=40)
T0 = 1_790_000_000 - 1_790_000_000 % DAY_SECONDS  # a UTC midnight


def test_one_bucket_adds_unhappy_and_removes_satisfied_points():
    reading = run_detector(SPEC, [(T0, 5, 3)])  # 2 unhappy, 3 satisfied
    assert (reading.raw_score, reading.score, reading.alarmed) == (17, 17, False)
    assert (reading.since_epoch, reading.ratings, reading.unsatisfied) == (T0, 5, 2)


def test_floor_at_zero_forgets_the_excursion():
    reading = run_detector(SPEC, [(T0, 2, 1), (T0 + HOUR_SECONDS, 50, 50)])
    assert (reading.raw_score, reading.since_epoch, reading.ratings) == (0, None, 0)


def test_alarm_latches_until_reset_and_the_score_is_held_at_the_page_level():
    hours = [(T0, 4, 0)]  # 40: capped at 40, alarm
    assert run_detector(SPEC, hours).alarmed
    hours.append((T0 + HOUR_SECONDS, 15, 15))  # 25: below page, above reset: still alarmed, held at 30
    held = run_detector(SPEC, hours)
    assert (held.raw_score, held.score, held.alarmed) == (25, 30, True)
    hours.append((T0 + 2 * HOUR_SECONDS, 15, 15))  # 10: at the reset level: resolved
    back = run_detector(SPEC, hours)
    assert (back.raw_score, back.score, back.alarmed) == (10, 10, False)


def test_cap_bounds_the_score():
    assert run_detector(SPEC, [(T0, 100, 0)]).raw_score == SPEC.cap_points


def test_bad_bucket_is_refused():
    with pytest.raises(ValueError, match="satisfied of"):
        run_detector(SPEC, [(T0, 1, 2)])


def _days(ratings: list[tuple[float, int]]) -> dict[int, CenterDay]:
    days: dict[int, CenterDay] = {}
    for epoch, rating in ratings:
        days.setdefault(day_start(epoch), CenterDay()).apply(None, epoch, rating)
    return days


def _ratings(seed: int, count: int, unhappy: float) -> list[tuple[float, int]]:
    rng = random.Random(seed)
    return [(T0 + rng.uniform(0, 20 * DAY_SECONDS), 2 if rng.random() < unhappy else 5) for _ in range(count)]


def test_same_ratings_in_any_arrival_order_give_the_same_reading():
    # A late rating, a restart or a rebalance only changes the order the buckets were
    # filled in; the recomputation over the buckets sees the same counts.
    ratings = _ratings(1, 3000, 0.06)
    now = T0 + 20 * DAY_SECONDS
    in_order = center_readings(SHIPPED_DETECTORS, _days(sorted(ratings)), now)
    shuffled = ratings[:]
    random.Random(2).shuffle(shuffled)
    assert center_readings(SHIPPED_DETECTORS, _days(shuffled), now) == in_order
    assert in_order[0].raw_score > 0  # 6% unhappy: the small-drop detector has evidence


def test_buckets_cover_the_30_day_window_only_and_in_order():
    ratings = [(T0 + 0.5 * HOUR_SECONDS, 5), (T0 + 35 * DAY_SECONDS, 1), (T0 + 40 * DAY_SECONDS, 5)]
    days = _days(ratings)
    now = T0 + 40 * DAY_SECONDS + 10
    assert hourly_buckets(days, now) == [(T0 + 35 * DAY_SECONDS, 1, 0), (T0 + 40 * DAY_SECONDS, 1, 1)]


def test_a_late_rating_enters_its_own_hour():
    early = [(T0 + h * HOUR_SECONDS + 60, 5) for h in range(10)]
    late = (T0 + 3 * HOUR_SECONDS + 120, 1)
    now = T0 + 10 * HOUR_SECONDS
    buckets = hourly_buckets(_days(early + [late]), now)
    assert buckets[3] == (T0 + 3 * HOUR_SECONDS, 2, 1)
    assert center_readings(SHIPPED_DETECTORS, _days([late] + early), now) == center_readings(
        SHIPPED_DETECTORS, _days(early + [late]), now)


def test_shipped_detectors_page_on_a_collapse_and_not_on_a_healthy_day():
    healthy = [(T0 + i * 120, 5) for i in range(700)]
    assert all(not r.alarmed for r in center_readings(SHIPPED_DETECTORS, _days(healthy), T0 + DAY_SECONDS))
    collapse = [(T0 + i * 120, 1 if i % 5 == 0 else 5) for i in range(200)]  # 20% unhappy
    large = center_readings([LARGE_DROP], _days(collapse), T0 + DAY_SECONDS)[0]
    assert large.alarmed and large.score >= LARGE_DROP.page_points
    assert large.unsatisfied >= 10
    assert SMALL_DROP.warning_points is not None


def test_the_filling_hour_can_raise_the_alarm_but_not_clear_it():
    latched = [(T0, 4, 0), (T0 + HOUR_SECONDS, 15, 15)]  # 40 (alarm), then 25: still latched
    back = (T0 + 2 * HOUR_SECONDS, 15, 15)  # to 10, the reset level
    assert not run_detector(SPEC, latched + [back]).alarmed  # a whole hour clears it ...
    still = run_detector(SPEC, latched + [back], filling_hour=back[0])  # ... the current hour does not
    assert still.alarmed and still.raw_score == 10 and still.score == SPEC.page_points
    assert run_detector(SPEC, [(T0, 3, 0)], filling_hour=T0).alarmed  # it does raise it


def test_the_worker_reading_treats_the_current_hour_as_filling():
    # A latched alarm whose score is back at the reset level within the current hour stays
    # latched until the hour is over.
    unhappy = [(T0 + 60 * i, 1) for i in range(40)]  # 40 unhappy in the first hour
    recovering = [(T0 + HOUR_SECONDS + 10 * i, 5) for i in range(300)]  # then many satisfied in the second
    days = _days(unhappy + recovering)
    [large] = center_readings([LARGE_DROP], days, T0 + 2 * HOUR_SECONDS - 1)
    assert large.raw_score <= LARGE_DROP.reset_points and large.alarmed
    [large_next_hour] = center_readings([LARGE_DROP], days, T0 + 2 * HOUR_SECONDS + 1)
    assert not large_next_hour.alarmed


def test_after_closed_equals_advancing_bucket_by_bucket():
    rng = random.Random(5)
    for spec in SHIPPED_DETECTORS:
        buckets = []
        for index in range(400):  # runs of bad hours that page, then good ones that reset
            rated = rng.randrange(1, 40)
            bad = (index // 30) % 2 == 1
            satisfied = rng.randrange(0, rated // 2 + 1) if bad else rated - rng.randrange(0, 2)
            buckets.append((index * HOUR_SECONDS, rated, satisfied))
        state = DetectorState()
        alarms = 0
        for bucket in buckets:
            state = state.advance(spec, bucket)
            alarms += state.alarmed
        assert DetectorState.after_closed(spec, buckets) == state
        assert 0 < alarms < len(buckets)
    with pytest.raises(ValueError, match="satisfied of"):
        DetectorState.after_closed(SHIPPED_DETECTORS[0], [(0, 1, 2)])
