"""ClosedHoursCache: the same windows and detector readings as recomputing from the days, at a fraction of the work."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from dost_contract.change_detection import SHIPPED_DETECTORS
from streams.closed_hours import ClosedHoursCache, closed_fingerprint
from streams.detector import center_readings
from streams.scoring import DAY_SECONDS, HOUR_SECONDS, CenterDay, day_start, hour_start, window_tallies

START = datetime(2026, 3, 10, 0, 20, tzinfo=UTC).timestamp()
GROUPS = [None, "pensions", "passports", "social"]


def rate(days: dict[int, CenterDay], epoch: float, rating: int, group: str | None = None) -> None:
    days.setdefault(day_start(epoch), CenterDay()).apply(group, epoch, rating)


def window_days(days: dict[int, CenterDay], now: float) -> dict[int, CenterDay]:
    # what CenterDayStore.days_for_window hands the refresher: the days the 30d window can touch
    oldest = day_start(hour_start(now) - 30 * DAY_SECONDS + HOUR_SECONDS)
    return {start: day for start, day in days.items() if oldest <= start <= now}


def assert_equal_to_recomputing(cache: ClosedHoursCache, days: dict[int, CenterDay], now: float) -> None:
    held = window_days(days, now)
    windows, readings = cache.windows_and_readings("baku-1", held, now)
    assert windows == window_tallies(held, now)
    assert readings == center_readings(SHIPPED_DETECTORS, held, now)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_histories_with_late_and_future_ratings_and_turning_hours_match_recomputing(seed):
    rng = random.Random(seed)
    print(f"seed {seed}")
    days: dict[int, CenterDay] = {}
    for _ in range(1500):  # 35 days of history, some of it bad enough to page
        epoch = START - rng.uniform(0, 35 * DAY_SECONDS)
        rate(days, epoch, rng.choice((1, 2, 5) if epoch % (5 * DAY_SECONDS) < DAY_SECONDS else (4, 5, 5, 2)),
             rng.choice(GROUPS))
    cache = ClosedHoursCache(SHIPPED_DETECTORS)
    now = START
    for _ in range(150):  # about 1.5 days, in steps of up to 20 minutes
        now += rng.uniform(0, 1200)
        for _ in range(rng.randrange(8)):
            rate(days, now - rng.uniform(0, 60), rng.choice((1, 2, 3, 4, 5)), rng.choice(GROUPS))
        draw = rng.random()
        if draw < 0.1:  # a late rating, up to 72 h back
            rate(days, now - rng.uniform(HOUR_SECONDS, 72 * HOUR_SECONDS), rng.choice((1, 5)), rng.choice(GROUPS))
        elif draw < 0.15:  # a rating later today (a client clock ahead): no window holds it yet
            rate(days, min(now + rng.uniform(HOUR_SECONDS, 5 * HOUR_SECONDS), day_start(now) + DAY_SECONDS - 1), 1,
                 "future-group")
        assert_equal_to_recomputing(cache, days, now)
    # most refreshes only added the filling hour: the closed hours were summed about once an hour
    assert cache.recomputed < 150 * 0.6


def test_within_an_hour_the_closed_hours_are_summed_once():
    days: dict[int, CenterDay] = {}
    rate(days, START - 5 * HOUR_SECONDS, 2)
    cache = ClosedHoursCache(SHIPPED_DETECTORS)
    for minute in range(30):
        rate(days, START + minute * 60, 1, "pensions")
        assert_equal_to_recomputing(cache, days, START + minute * 60)
    assert cache.recomputed == 1


def test_a_late_rating_in_a_closed_hour_sums_them_again():
    days: dict[int, CenterDay] = {}
    rate(days, START - 2 * DAY_SECONDS, 5)
    cache = ClosedHoursCache(SHIPPED_DETECTORS)
    assert_equal_to_recomputing(cache, days, START)
    before = closed_fingerprint(days, START)
    rate(days, START - 30 * HOUR_SECONDS, 1, "passports")
    assert closed_fingerprint(days, START)[0] == before[0] + 1
    assert_equal_to_recomputing(cache, days, START)
    assert cache.recomputed == 2
    assert cache.windows_and_readings("baku-1", window_days(days, START), START)[0]["passports"]["24h"].ratings == 0
    assert cache.windows_and_readings("baku-1", window_days(days, START), START)[0]["passports"]["7d"].ratings == 1


def test_the_hour_turning_sums_again_and_a_forgotten_center_starts_afresh():
    days: dict[int, CenterDay] = {}
    rate(days, START, 1)
    cache = ClosedHoursCache(SHIPPED_DETECTORS)
    assert_equal_to_recomputing(cache, days, START)
    assert_equal_to_recomputing(cache, days, START + HOUR_SECONDS)
    assert cache.recomputed == 2
    cache.forget("baku-1")
    assert_equal_to_recomputing(cache, days, START + HOUR_SECONDS)
    assert cache.recomputed == 3


def test_days_read_back_from_the_changelog_are_summed_again():
    days: dict[int, CenterDay] = {}
    rate(days, START - HOUR_SECONDS, 5)
    cache = ClosedHoursCache(SHIPPED_DETECTORS)
    assert_equal_to_recomputing(cache, days, START)
    reloaded = {start: CenterDay.from_json(day.__json__()) for start, day in days.items()}
    assert_equal_to_recomputing(cache, reloaded, START)
    assert cache.recomputed == 2


def test_no_days_give_empty_windows_and_quiet_detectors():
    cache = ClosedHoursCache(SHIPPED_DETECTORS)
    assert_equal_to_recomputing(cache, {}, START)
