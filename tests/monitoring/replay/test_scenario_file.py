"""Scenario files (the contract's format): parsing, clear errors, schedules and the JSON output."""

from __future__ import annotations

import pytest

from monitoring.alerting import shipped
from monitoring.alerting.parameters import rule_parameters
from monitoring.replay.scenario_file import ScenarioError, alerts_json, parse_scenario, render_markdown
from monitoring.replay.timeline import build_timeline

SCENARIO = """
seed: 7
days: 6
centers:
  - center_id: c-700
    ratings_per_day: 700
    satisfaction: 0.99
    changes:
      - {after_days: 1, satisfaction: 0.80}
  - center_id: c-25
    ratings_per_day: 25
    satisfaction: 0.99
"""


def test_schedules_follow_the_changes():
    scenario, centers = parse_scenario(SCENARIO)
    assert [c.center_id for c in centers] == ["c-700", "c-25"] and centers[0].daily_visitors == 700
    start = scenario.start_epoch
    assert scenario.satisfaction("c-700", start + 3600) == 0.99
    assert scenario.satisfaction("c-700", start + 86400) == 0.80
    assert scenario.satisfaction("c-25", start + 5 * 86400) == 0.99
    assert scenario.end_epoch - start == 6 * 86400 and scenario.step_seconds == 300


@pytest.mark.parametrize(("text", "message"), [
    ("seed: 1\ndays: 5\ncenters: []", "centers"),
    ("seed: 1\ndays: 5\ncenters: [{center_id: a-1, ratings_per_day: 0, satisfaction: 0.9}]", "ratings_per_day"),
    ("seed: 1\ndays: 5\ncenters: [{center_id: a-1, ratings_per_day: 5, satisfaction: 1.2}]", "satisfaction"),
    (("seed: 1\ndays: 5\ncenters: [{center_id: a-1, ratings_per_day: 5, satisfaction: 0.9, "
      "changes: [{after_days: 9, satisfaction: 0.5}]}]"), "outside 5 days"),
    ("seed: 1\ndays: 5\ncenters: [{center_id: A B, ratings_per_day: 5, satisfaction: 0.9}]", "bad center"),
    ("seed: 1\ndays: 5\nextra: 1\ncenters: [{center_id: a-1, ratings_per_day: 5, satisfaction: 0.9}]", "extra"),
    ("seed: [", "not YAML"),
])
def test_bad_scenarios_say_what_is_wrong(text, message):
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(text)


def test_a_collapse_pages_and_the_json_lists_every_firing():
    scenario, centers = parse_scenario(SCENARIO)
    params = rule_parameters(shipped.shipped_settings(), shipped.SHIPPED_PROFILE)
    timeline = build_timeline(scenario, centers, params)  # type: ignore[arg-type]
    out = alerts_json(timeline)
    assert out["start"] == "2026-10-01T00:00:00Z"
    pages = [a for a in out["alerts"] if a["severity"] == "page" and a["center_id"] is not None]
    assert [a["center_id"] for a in pages] == ["c-700"]
    assert pages[0]["fired_at"] < "2026-10-03" and pages[0]["resolved_at"] is None  # still at 80% at the end
    assert set(out["alerts"][0]) == {"alertname", "severity", "center_id", "fired_at", "resolved_at"}
    report = render_markdown(timeline, [("center alerts of c-700", True, 10)], "dost-feedback replay --scenario x")
    assert "| c-700 | 700 | 99.0%, then 80.0% |" in report and "**passed**" in report
