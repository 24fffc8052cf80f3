"""The 30-day replay: a center degraded to 97% pages within 24 h; low-volume centers never page.

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


def test_degraded_center_pages_within_24_hours_of_the_drop(timeline):
    ttp = time_to_page(timeline)
    assert ttp is not None, f"{timeline.scenario.degraded_center} never paged"
    assert 0 <= ttp <= DAY, f"paged {ttp / 3600:.1f} h after the drop"
    before = [e for e in pages(timeline, timeline.scenario.degraded_center) if e.fired_at < timeline.scenario.drop_epoch]
    assert before == [], "paged while still healthy"


def test_low_volume_center_at_100_percent_never_pages(timeline):
    perfect = [c for c, ratio in timeline.scenario.fixed_satisfaction if ratio == 1.0]
    assert perfect
    for center_id in perfect:
        assert pages(timeline, center_id) == [], center_id
        assert any(s.center.center_id == center_id and s.ratings >= 500 for s in timeline.series), center_id


def test_a_page_of_the_at_target_center_carries_the_contracts_evidence(timeline):
    """Finding (docs/replay.md): a 60-a-day center exactly at target can page, since the
    contract pages on the 95% Wilson bound. When it does, it must be on exactly that
    evidence: at least the minimum ratings and the upper bound below target at firing."""
    at_target = [c for c, ratio in timeline.scenario.fixed_satisfaction if ratio < 1.0]
    assert at_target
    minimum = shipped.shipped_settings().alert_min_ratings
    for center_id in at_target:
        for episode in pages(timeline, center_id):
            evidence = episode.at_firing
            assert evidence["count"] >= minimum, (center_id, evidence)
            assert evidence["upper"] < evidence["target"], (center_id, evidence)


def test_healthy_centers_never_page(timeline):
    s = timeline.scenario
    for series in timeline.series:
        center_id = series.center.center_id
        if center_id != s.degraded_center and center_id not in dict(s.fixed_satisfaction):
            assert pages(timeline, center_id) == [], center_id


def test_low_volume_center_at_target_does_warn(timeline):
    """The warning is the ratio alone, so a small center exactly at target does warn: the
    replay is not quiet by construction (its low-volume center is busy enough to count)."""
    center_id = dict(timeline.scenario.fixed_satisfaction)
    at_target = next(c for c, ratio in center_id.items() if ratio < 1)
    assert any(
        e.labels.get("center_id") == at_target and e.severity == "warning" and e.fired_at for e in timeline.episodes
    )


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
