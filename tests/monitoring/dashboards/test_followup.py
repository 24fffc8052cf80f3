"""The follow-up dashboard: what it shows, and its queries' arithmetic on real PromQL (promtool).

The live check against the real pipeline is in ``test_live.py``: it needs the cases exporter.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from dost_contract import metric_names
from dost_contract.settings import Settings
from monitoring.dashboards.followup import followup_dashboard
from monitoring.dashboards.panels import dashboard_targets, substitute_variables
from monitoring.names import CENTER_INFO, FOLLOWUP_DASHBOARD
from tests.monitoring.alerting.rule_helpers import run_tool

FOLLOWUP_SERIES = (metric_names.FOLLOWUP_CASES_OPEN, metric_names.FOLLOWUP_CASES_OVERDUE,
                   metric_names.bucket(metric_names.FOLLOWUP_CASE_RESOLUTION_SECONDS),
                   metric_names.FOLLOWUP_CASES_RESOLVED_TOTAL)
TEMPLATE = {"__range": "1h", "__interval": "1m", "__rate_interval": "1m"}


def panel_exprs() -> dict[str, list[str]]:
    exprs: dict[str, list[str]] = {}
    for item, target in dashboard_targets(followup_dashboard(Settings())):
        exprs.setdefault(item["title"], []).append(target["expr"])
    return exprs


def test_followup_dashboard_shows_open_overdue_resolution_and_root_causes():
    model = followup_dashboard(Settings())
    assert (model["uid"], model["title"]) == (FOLLOWUP_DASHBOARD.uid, FOLLOWUP_DASHBOARD.title)
    exprs = panel_exprs()
    every = " ".join(e for group in exprs.values() for e in group)
    for name in FOLLOWUP_SERIES:
        assert name in every, name
    # Every query reads the follow-up series (the table adds the region from the center info).
    for title, group in exprs.items():
        for expr in group:
            assert any(name in expr for name in FOLLOWUP_SERIES) or expr.endswith(f"({CENTER_INFO})"), (title, expr)
    assert exprs["Open cases per center over time"] == [f"max by (center_id) ({metric_names.FOLLOWUP_CASES_OPEN})"]
    overdue = exprs["Overdue cases by center"] + exprs["Overdue cases per center over time"]
    assert overdue == [f"max by (center_id) ({metric_names.FOLLOWUP_CASES_OVERDUE})"] * 2
    assert all("by (root_cause)" in e for e in exprs["Root causes over time"])
    assert "Time to resolution" in exprs and "Cases by center" in exprs


def test_followup_queries_compute_the_expected_numbers(tmp_path: Path):
    """baku-1: 3 open (1 overdue), 4 resolved (1 within 1h, 2 within 2h, 1 within 4h: median 5400 s);
    baku-2: 2 open, none overdue. Two exporter replicas report baku-1's gauges (the same database
    counts): counted once. Counters rise from 0 at t=0 to their value from t=1m."""
    exprs = {title: [substitute_variables(e, TEMPLATE) for e in group] for title, group in panel_exprs().items()}
    bucket = metric_names.bucket(metric_names.FOLLOWUP_CASE_RESOLUTION_SECONDS)
    resolved = metric_names.FOLLOWUP_CASES_RESOLVED_TOTAL

    def rising(count: int) -> str:
        return f"0 {count}x59"

    input_series = [
        *({"series": f'{metric_names.FOLLOWUP_CASES_OPEN}{{center_id="baku-1",instance="{i}"}}', "values": "3x60"}
          for i in ("w1", "w2")),
        {"series": f'{metric_names.FOLLOWUP_CASES_OPEN}{{center_id="baku-2"}}', "values": "2x60"},
        *({"series": f'{metric_names.FOLLOWUP_CASES_OVERDUE}{{center_id="baku-1",instance="{i}"}}', "values": "1x60"}
          for i in ("w1", "w2")),
        {"series": f'{metric_names.FOLLOWUP_CASES_OVERDUE}{{center_id="baku-2"}}', "values": "0x60"},
        *({"series": f'{bucket}{{center_id="baku-1",le="{le}"}}', "values": rising(n)}
          for le, n in (("3600", 1), ("7200", 3), ("14400", 4), ("+Inf", 4))),
        {"series": f'{resolved}{{center_id="baku-1",root_cause="waiting_time"}}', "values": rising(3)},
        {"series": f'{resolved}{{center_id="baku-1",root_cause="staff_conduct"}}', "values": rising(1)},
    ]
    checks = [
        (exprs["Open cases"][0], [("{}", 5)]),
        (exprs["Overdue cases"][0], [("{}", 1)]),
        (exprs["Centers with overdue cases"][0], [("{}", 1)]),
        (exprs["Resolved"][0], [("{}", 4)]),
        (exprs["Median time to resolution"][0], [("{}", 5400)]),
        (exprs["Overdue cases by center"][0], [('{center_id="baku-1"}', 1), ('{center_id="baku-2"}', 0)]),
        (exprs["Root causes (selected range)"][0], [('{root_cause="waiting_time"}', 3),
                                                     ('{root_cause="staff_conduct"}', 1)]),
    ]
    rules = tmp_path / "none.yml"
    rules.write_text("groups: []\n")
    test = {"rule_files": [str(rules)], "evaluation_interval": "1m", "tests": [{
        "interval": "1m", "input_series": input_series,
        "promql_expr_test": [{"expr": expr, "eval_time": "60m",
                              "exp_samples": [{"labels": labels, "value": value} for labels, value in samples]}
                             for expr, samples in checks],
    }]}
    test_file = tmp_path / "followup_test.yml"
    test_file.write_text(yaml.safe_dump(test))
    run_tool(Settings().promtool_binary, "test", "rules", test_file)
