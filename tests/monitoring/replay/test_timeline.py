"""The 30-day replay: a center degraded to 97% pages within days; low-volume centers never page.

The timeline (tests/monitoring/replay/conftest.py) runs the real ``streams.scoring`` windows
under the shipped production rules' parameters. The seed is printed; replay another with
``DOST_REPLAY_SEED=<n>``."""

from __future__ import annotations

import pytest

from dost_contract.centers import load_registry
from monitoring.alerting import shipped
from monitoring.alerting.parameters import rule_parameters
from monitoring.replay.timeline import Scenario, build_timeline, pages, time_to_page

DAY = 24 * 3600


def test_degraded_center_pages_within_the_detectors_delay_of_the_drop(timeline):
    # 99% -> 97% at a few hundred ratings a day: the small-drop detector needs about 1,300
    # ratings (median, docs/alerting.md), i.e. several days at this center's volume.
    ttp = time_to_page(timeline)
    assert ttp is not None, f"{timeline.scenario.degraded_center} never paged"
    assert 0 <= ttp <= 8 * DAY, f"paged {ttp / 3600:.1f} h after the drop"
    before = [e for e in pages(timeline, timeline.scenario.degraded_center) if e.fired_at < timeline.scenario.drop_epoch]
    assert before == [], "paged while still healthy"


def test_low_volume_center_at_100_percent_never_pages(timeline):
    perfect = [c for c, ratio in timeline.scenario.fixed_satisfaction if ratio == 1.0]
    assert perfect
    for center_id in perfect:
        assert pages(timeline, center_id) == [], center_id
        assert any(s.center.center_id == center_id and s.ratings >= 500 for s in timeline.series), center_id


def test_the_at_target_center_never_pages(timeline):
    """The Wilson-window page paged karabakh-shusha (exactly at target) in 39 of 40 months;
    the change detectors' false-page interval at target is over 5 center-years at 700 a day."""
    at_target = [c for c, ratio in timeline.scenario.fixed_satisfaction if ratio < 1.0]
    assert at_target
    for center_id in at_target:
        assert pages(timeline, center_id) == [], center_id


def test_healthy_centers_never_page(timeline):
    s = timeline.scenario
    for series in timeline.series:
        center_id = series.center.center_id
        if center_id != s.degraded_center and center_id not in dict(s.fixed_satisfaction):
            assert pages(timeline, center_id) == [], center_id


def test_degraded_center_warns_before_it_pages(timeline):
    """The warning is the small-drop detector at a lower level: early evidence, so the
    replay is not quiet by construction and managers hear of the slide first."""
    degraded = timeline.scenario.degraded_center
    warned = [e.fired_at for e in timeline.episodes
              if e.labels.get("center_id") == degraded and e.severity == "warning" and e.fired_at]
    assert warned and min(warned) < min(e.fired_at for e in pages(timeline, degraded))


def test_scenario_rejects_bad_input():
    with pytest.raises(ValueError, match="inside"):
        Scenario(drop_after_days=40)
    with pytest.raises(ValueError, match="midnight"):
        from datetime import datetime, timezone

        Scenario(start=datetime(2026, 10, 1, 5, tzinfo=timezone.utc))
    registry = load_registry(shipped.shipped_settings())
    params = rule_parameters(shipped.shipped_settings(), "prod")
    with pytest.raises(ValueError, match="not in the registry"):
        build_timeline(Scenario(degraded_center="nowhere"), registry.centers, params)


def test_the_replays_step_by_step_detectors_equal_the_workers_recomputation():
    """DetectorTracker (incremental, for speed) gives exactly what the worker's full
    recomputation over the 30d window gives, at every step, over 34 days with a degradation
    longer than the window (where the worker's truncation at 30 days matters)."""
    import random

    from dost_contract.change_detection import SHIPPED_DETECTORS
    from monitoring.replay.timeline import DetectorTracker
    from streams.detector import center_readings
    from streams.scoring import CenterDay, day_start, days_in_longest_window

    rng = random.Random(3)
    start = 1_790_035_200  # a UTC midnight
    tracker, days = DetectorTracker(SHIPPED_DETECTORS), {}
    for step in range(34 * 36):  # every 40 minutes
        now = start + step * 2400
        unhappy = 0.012 if step < 2 * 36 else 0.05  # degraded from day 2 on, for 32 days
        for i in range(rng.randint(0, 30)):
            epoch = now - rng.uniform(0, 2399)
            days.setdefault(day_start(epoch), CenterDay()).apply(None, epoch, 2 if rng.random() < unhappy else 5)
        window = {d: days[d] for d in days_in_longest_window(now) if d in days}
        assert tuple(tracker.readings(window, now)) == center_readings(SHIPPED_DETECTORS, window, now), step
