"""Simulated arrivals: only within opening hours, at the registry's volume, the same for the same seed."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from dost_contract.centers import load_registry
from dost_contract.settings import Settings
from dost_simulation.arrivals import CHANNELS, center_rng, simulate_arrivals

BAKU = ZoneInfo("Asia/Baku")
START = datetime(2026, 10, 5, tzinfo=timezone.utc).timestamp()  # a Monday
DAY = 24 * 3600


def arrivals(center_id: str, days: int = 7, seed: int = 7, satisfaction: float = 0.99):
    center = load_registry(Settings()).get(center_id)
    return center, simulate_arrivals(center, seed=seed, start_epoch=START, end_epoch=START + days * DAY,
                                     satisfaction=lambda _center, _epoch: satisfaction, zone=BAKU)


def test_ratings_arrive_only_while_the_center_is_open_and_in_order():
    center, ratings = arrivals("baku-1")
    assert ratings, "no ratings"
    assert [r.epoch for r in ratings] == sorted(r.epoch for r in ratings)
    for rating in ratings:
        assert center.hours.is_open(datetime.fromtimestamp(rating.epoch, BAKU)), rating
        assert START <= rating.epoch < START + 7 * DAY
        assert rating.center_id == "baku-1" and rating.channel in CHANNELS and 1 <= rating.rating <= 5


def test_volume_follows_daily_visitors():
    center, ratings = arrivals("baku-1", days=28)
    open_days = sum(1 for day in range(28) if datetime.fromtimestamp(START + day * DAY, BAKU).weekday() in center.hours.days)
    expected = center.daily_visitors * open_days
    assert abs(len(ratings) - expected) < 4 * expected ** 0.5, (len(ratings), expected)  # Poisson: within 4 sigma


def test_the_same_seed_gives_the_same_ratings_and_centers_do_not_interfere():
    assert arrivals("baku-2")[1] == arrivals("baku-2")[1]
    assert arrivals("baku-2")[1] != arrivals("baku-2", seed=8)[1]
    assert center_rng(7, "baku-2").random() == center_rng(7, "baku-2").random()
    assert center_rng(7, "baku-2").random() != center_rng(7, "baku-3").random()


def test_satisfaction_decides_the_share_of_ratings_4_and_5():
    _, all_happy = arrivals("baku-1", satisfaction=1.0)
    assert all(r.rating >= 4 for r in all_happy)
    _, none_happy = arrivals("baku-1", satisfaction=0.0)
    assert all(r.rating <= 3 for r in none_happy)
