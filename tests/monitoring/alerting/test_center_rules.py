"""Center satisfaction: the warning, the page, silent centers, and the Wilson bound in PromQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dost_contract.settings import Settings
from monitoring import names
from monitoring.alerting import shipped
from monitoring.alerting.parameters import rule_parameters
from monitoring.alerting.rules import render_rules
from monitoring.alerting.wilson import wilson_interval
from tests.monitoring.alerting.rule_helpers import (
    REQUIRED_SATISFACTION_ANNOTATIONS,
    alert_rules,
    prod_parameters,
    run_tool,
    satisfaction_alerts,
)

pytestmark = pytest.mark.timeout(60)


def test_center_alerts_carry_the_region_and_keep_their_value():
    for rule in alert_rules(render_rules(prod_parameters())):
        if rule["alert"] in (names.SATISFACTION_ALERT, names.NO_RATINGS_ALERT):
            # Joined with the info gauge (value 1); centers without it still alert, region-less.
            assert "* on (center_id) group_left (region)" in rule["expr"], rule["alert"]
            assert "topk by (center_id) (1, dost:center_info:max)" in rule["expr"]
            assert "unless on (center_id)\n  dost:center_info:max" in rule["expr"]


def test_min_ratings_is_the_volume_guard_of_both_satisfaction_alerts():
    document = render_rules(prod_parameters(min_ratings=50))
    for severity, rule in satisfaction_alerts(document).items():
        assert 'dost:center_ratings:max{window="30d"} >= 50' in rule["expr"], severity
        assert ">= 30" not in rule["expr"], severity


def test_prod_profile_for_durations():
    alerts = satisfaction_alerts(render_rules(prod_parameters()))
    assert alerts["warning"]["for"] == "30m"
    assert alerts["page"]["for"] == "10m"


def test_page_thresholds_every_detector_at_its_page_level_and_warning_the_small_one():
    from dost_contract.change_detection import DEV_DETECTORS, LARGE_DROP, SMALL_DROP

    document = render_rules(prod_parameters())
    alerts = satisfaction_alerts(document)
    assert "max by (center_id) (max_over_time(dost:center_change_evidence:ratio[1h])) >= 1" in alerts["page"]["expr"]
    assert ('max by (center_id) (max_over_time(dost:center_change_score:max{detector="small"}[1h]))'
            f" >= {SMALL_DROP.warning_points}" in alerts["warning"]["expr"])
    [evidence] = [r for g in document["groups"] for r in g["rules"] if r.get("record") == names.CENTER_CHANGE_EVIDENCE]
    assert f'dost:center_change_score:max{{detector="small"}} / {SMALL_DROP.page_points}' in evidence["expr"]
    assert f'dost:center_change_score:max{{detector="large"}} / {LARGE_DROP.page_points}' in evidence["expr"]
    dev = render_rules(rule_parameters(Settings(), "dev"))
    [dev_evidence] = [r for g in dev["groups"] for r in g["rules"] if r.get("record") == names.CENTER_CHANGE_EVIDENCE]
    assert f"/ {DEV_DETECTORS[0].page_points}" in dev_evidence["expr"]
    assert "[10s]" in satisfaction_alerts(dev)["page"]["expr"]  # the dev profile holds a touch for seconds


def test_satisfaction_alerts_carry_the_contract_annotations():
    alerts = satisfaction_alerts(render_rules(prod_parameters(dashboard_base_url="https://grafana.example.az/")))
    assert set(alerts) == {"warning", "page"}
    for severity, rule in alerts.items():
        annotations = rule["annotations"]
        assert REQUIRED_SATISFACTION_ANNOTATIONS <= set(annotations), severity
        assert annotations["dashboard_url"] == (
            "https://grafana.example.az/d/dost-center/center-drill-down?var-center_id={{ $labels.center_id }}"
        )
        assert annotations["runbook_url"].startswith("docs/operations.md#")


def test_silence_lookbacks_and_evaluation_step_come_from_the_profile():
    document = render_rules(rule_parameters(Settings(), "dev"))
    [silence] = [rule for group in document["groups"] for rule in group["rules"]
                 if rule.get("record") == names.CENTER_SILENT_EXPECTED]
    # dev: lookbacks 30s and 1m, evaluation every 2s = 2/3600 h per sample.
    assert "[30s]" in silence["expr"] and "[1m]" in silence["expr"] and "[8h]" not in silence["expr"]
    assert f"* {2 / 3600!r})" in silence["expr"]


WILSON_CASES = [  # (satisfied, ratings)
    (0, 1),
    (1, 1),
    (19, 20),
    (27, 30),
    (360, 400),
    (980, 1000),
    (672, 700),
    (9_850, 10_000),
    (123_456, 125_000),
]


def wilson_promtool_test(rules_file: Path) -> dict:
    """A promtool unit test asserting each recorded bound is within 1e-9 of the Python value."""
    input_series, expr_tests = [], []
    for satisfied, ratings in WILSON_CASES:
        center_id = f"c-{satisfied}-of-{ratings}"
        selector = f'center_id="{center_id}",window="7d"'
        input_series += [
            {"series": f"dost_center_ratings{{{selector}}}", "values": f"{ratings}x5"},
            {"series": f"dost_center_satisfied{{{selector}}}", "values": f"{satisfied}x5"},
        ]
        lower, upper = wilson_interval(satisfied, ratings)
        for metric, expected in ((names.CENTER_WILSON_UPPER, upper), (names.CENTER_WILSON_LOWER, lower)):
            expr_tests.append(
                {
                    "expr": f"abs({metric}{{{selector}}} - {expected!r}) < bool 1e-9",
                    "eval_time": "2m",
                    "exp_samples": [{"labels": f"{{{selector}}}", "value": 1}],
                }
            )
    return {
        "rule_files": [str(rules_file)],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": input_series, "promql_expr_test": expr_tests}],
    }


def test_promql_wilson_bounds_equal_the_python_reference(tmp_path: Path):
    test_file = tmp_path / "wilson_test.yml"
    test_file.write_text(yaml.safe_dump(wilson_promtool_test(shipped.SHIPPED_RULES_FILE)))
    run_tool(Settings().promtool_binary, "test", "rules", test_file)


def test_empty_window_has_no_wilson_bound(tmp_path: Path):
    selector = 'center_id="empty",window="1h"'
    test_file = tmp_path / "empty_test.yml"
    test_file.write_text(
        yaml.safe_dump(
            {
                "rule_files": [str(shipped.SHIPPED_RULES_FILE)],
                "evaluation_interval": "1m",
                "tests": [
                    {
                        "interval": "1m",
                        "input_series": [
                            {"series": f"dost_center_ratings{{{selector}}}", "values": "0x5"},
                            {"series": f"dost_center_satisfied{{{selector}}}", "values": "0x5"},
                        ],
                        "promql_expr_test": [
                            {"expr": names.CENTER_WILSON_UPPER, "eval_time": "2m", "exp_samples": []},
                            {"expr": names.CENTER_WILSON_LOWER, "eval_time": "2m", "exp_samples": []},
                        ],
                    }
                ],
            }
        )
    )
    run_tool(Settings().promtool_binary, "test", "rules", test_file)
