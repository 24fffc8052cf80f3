"""The 30-day replay: a center degraded to 97% pages within 24 h; low-volume centers never page.

The timeline is built once per module (the real ``streams.scoring`` windows, the shipped
production rules' parameters) and checked against the real ``promtool`` over the full
30 days. The seed is printed; replay another with ``DOST_REPLAY_SEED=<n>``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dost_feedback.centers import load_registry
from dost_feedback.settings import Settings
from monitoring import rules, shipped
from monitoring.replay import Scenario, build_timeline, pages, time_to_page
from monitoring.replay_promtool import encode_values, verify_timeline
from monitoring.replay_report import Verification, render_report

pytestmark = pytest.mark.timeout(420)

DAY = 24 * 3600
SEED = Settings().replay_seed  # DOST_REPLAY_SEED
DEFAULT_SEED = Settings.model_fields["replay_seed"].default


@pytest.fixture(scope="module")
def timeline():
    print(f"\nreplay seed {SEED} (replay with DOST_REPLAY_SEED={SEED})")
    params = rules.rule_parameters(shipped.shipped_settings(), shipped.SHIPPED_PROFILE)
    return build_timeline(Scenario(seed=SEED), load_registry(shipped.shipped_settings()).centers, params)


@pytest.fixture(scope="module")
def verified(timeline, tmp_path_factory: pytest.TempPathFactory):
    """promtool over the full 30 days for the degraded and the low-volume centers, one
    process each (``dost-feedback replay`` checks every center and the network burn rates;
    a promtool evaluation of the rules every 5 minutes for 30 days costs ~40 s of CPU per center)."""
    s = timeline.scenario
    watched = [s.degraded_center, *(c for c, _ in s.fixed_satisfaction)]
    return verify_timeline(
        timeline,
        rules.render_rules(timeline.params),
        tmp_path_factory.mktemp("replay"),
        Settings().promtool_binary,
        centers=watched,
        centers_per_process=1,
        network=False,
    )


def test_promtool_agrees_with_the_timeline_over_30_days(verified):
    assert verified, "no promtool run"
    for v in verified:
        assert v.result.passed, f"{v.what}:\n{v.result.output[-6000:]}"
        assert v.checks >= 30 * 24, v.what  # at least every hour of the 30 days


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


def test_report_lists_every_fired_alert(timeline):
    report = render_report(timeline, [Verification("center alerts", True, 1000, 1.0)], "dost-feedback replay")
    fired = [e for e in timeline.episodes if e.fired_at is not None]
    rows = [line for line in report.splitlines() if line.startswith("| ") and rules.SATISFACTION_ALERT in line]
    assert len(rows) == len([e for e in fired if e.alertname == rules.SATISFACTION_ALERT])
    assert f"seed {timeline.scenario.seed}" in report


def test_committed_report_is_current_for_the_default_seed(timeline):
    if timeline.scenario.seed != DEFAULT_SEED:
        pytest.skip("docs/replay.md is generated with the default seed")
    committed = (Path(shipped.PROJECT_ROOT) / "docs" / "replay.md").read_text(encoding="utf-8")
    fresh = render_report(timeline, [], "dost-feedback replay")
    table = lambda text: [line for line in text.splitlines() if line.startswith("| ")]  # noqa: E731
    assert table(committed) == table(fresh), "run: dost-feedback replay"


def test_expanding_notation_counts_samples_like_promtool():
    assert encode_values([5, 5, 5, 5]) == "5x3"  # four samples
    assert encode_values([None, None, None, 1]) == "_x3 1"  # three absent, then one
    assert encode_values([None, 2, 2]) == "_ 2x1"


def test_scenario_rejects_bad_input():
    with pytest.raises(ValueError, match="inside"):
        Scenario(drop_after_days=40)
    with pytest.raises(ValueError, match="midnight"):
        from datetime import datetime, timezone

        Scenario(start=datetime(2026, 10, 1, 5, tzinfo=timezone.utc))
    registry = load_registry(shipped.shipped_settings())
    params = rules.rule_parameters(shipped.shipped_settings(), "prod")
    with pytest.raises(ValueError, match="not in the registry"):
        build_timeline(Scenario(degraded_center="nowhere"), registry.centers, params)
