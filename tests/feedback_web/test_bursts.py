"""Repeated presses on a tablet: the pure rules, then whole sessions in simulated time on a
real channel store (``judge_press``): abuse counts as at most a few, real use loses none.

The same through real Chromium on the real kiosk page is in tests/feedback_web/test_kiosk.py.
"""

from __future__ import annotations

import random
import uuid

import pytest

from dost_channels.kiosk_presses import PressHistory
from dost_channels.store import ChannelStore
from feedback_web.bursts import BurstRules, suspect_reason
from feedback_web.devices import judge_press

RULES = BurstRules()
T0 = 1_790_000_000.0


def history(last_at=None, last_rating=None, in_window=0, last_minute=0, visits=None) -> PressHistory:
    return PressHistory(last_at, last_rating, in_window, last_minute, visits)


@pytest.mark.parametrize("past,rating,expected", [
    (history(), 1, None),
    (history(last_at=T0 - 1, last_rating=1), 1, "repeat_press"),
    (history(last_at=T0 - 1, last_rating=5), 1, None),           # another face: another citizen
    (history(last_at=T0 - 3, last_rating=1), 1, None),           # the repeat interval has passed
    (history(last_minute=8), 5, "over_rate"),         # a ninth press within a minute
    (history(last_minute=7), 5, None),
    (history(in_window=18, visits=15), 5, "over_visits"),        # a 19th press > 15 visits + 3
    (history(in_window=17, visits=15), 5, None),
    (history(in_window=17, visits=None), 5, None),               # no visit feed: not judged by visits
    (history(in_window=200, visits=200), 5, None),               # a busy center is fine
])
def test_suspect_reason(past, rating, expected):
    assert suspect_reason(past, rating, T0, RULES) == expected


def press(store, device_id: str, rating: int, at: float, center_id: str = "baku-1") -> str | None:
    return judge_press(store, RULES, str(uuid.uuid4()), device_id, center_id, rating, at, at + 0.2)


def test_a_retry_of_one_rating_gets_its_first_verdict(tmp_path):
    store = ChannelStore(tmp_path / "c.sqlite3")
    assert press(store, "dev-1", 1, T0) is None
    assert judge_press(store, RULES, "f-1", "dev-1", "baku-1", 1, T0 + 1, T0 + 1) == "repeat_press"
    assert judge_press(store, RULES, "f-1", "dev-1", "baku-1", 1, T0 + 1, T0 + 60) == "repeat_press"
    assert press(store, "dev-1", 5, T0 + 20) is None


def test_100_presses_of_1_in_10_minutes_with_15_visits_count_as_at_most_a_few(tmp_path):
    store = ChannelStore(tmp_path / "c.sqlite3")
    rng = random.Random(13)
    store.record_completed_visit("this-morning", "baku-1", T0 - 3 * 3600)  # the center's queue system reports
    for i, at in enumerate(sorted(T0 + rng.uniform(0, 600) for _ in range(15))):
        store.record_completed_visit(f"v-{i}", "baku-1", at)
    # One person pressing "1" after each thank-you screen: every 4-8 s, for 10 minutes.
    at, verdicts = T0, []
    while len(verdicts) < 100:
        verdicts.append(press(store, "dev-abuse", 1, at))
        at += rng.uniform(4, 8)
    assert at - T0 <= 600
    counted = verdicts.count(None)
    assert counted <= 4, verdicts
    assert {v for v in verdicts if v} <= {"over_visits", "over_rate", "repeat_press"}


@pytest.mark.parametrize("seed", range(5))
def test_normal_use_at_80_visitors_an_hour_loses_none(tmp_path, seed):
    """Eight hours of a busy center: Poisson arrivals, each citizen rates at one of two
    tablets after the visit; a tablet is busy until its thank-you screen is dismissed."""
    store = ChannelStore(tmp_path / "c.sqlite3")
    rng = random.Random(seed)
    faces = [5] * 80 + [4] * 12 + [3] * 4 + [2] * 2 + [1] * 2
    free_at = {"dev-a": T0, "dev-b": T0}
    at, presses = T0, []
    while at < T0 + 8 * 3600:
        at += rng.expovariate(80 / 3600)
        visit_id = f"v-{len(presses)}"
        store.record_completed_visit(visit_id, "baku-2", at)
        device = rng.choice(sorted(free_at))
        pressed = max(at + rng.uniform(10, 120), free_at[device])
        free_at[device] = pressed + rng.uniform(4, 12)  # skip or comment, thanks, done, the next steps up
        presses.append((pressed, device, rng.choice(faces)))
    verdicts = [press(store, device, rating, pressed, "baku-2") for pressed, device, rating in sorted(presses)]
    assert len(verdicts) > 500 and [v for v in verdicts if v] == []


def test_a_center_without_a_visit_feed_is_judged_by_repeats_and_rate_only(tmp_path):
    store = ChannelStore(tmp_path / "c.sqlite3")
    verdicts = [press(store, "dev-1", [5, 4][i % 2], T0 + 30 * i, "smart-agali") for i in range(40)]
    assert verdicts == [None] * 40  # 40 ratings in 20 minutes, no visits known: counted
    burst = [press(store, "dev-1", 5, T0 + 2000 + 1.0 * i, "smart-agali") for i in range(10)]
    assert burst[0] is None and set(burst[1:]) == {"repeat_press"}
