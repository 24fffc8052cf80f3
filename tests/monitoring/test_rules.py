"""The rule renderer, the shipped rule files (promtool) and the Wilson bound in PromQL."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from dost_feedback.settings import Settings
from monitoring import rules, shipped
from monitoring.local import write_local_configs
from monitoring.prometheus_config import render_prometheus_config
from monitoring.rules import RuleParameters, render_rules, rule_parameters
from monitoring.wilson import wilson_interval

pytestmark = pytest.mark.timeout(60)

REQUIRED_SATISFACTION_ANNOTATIONS = {
    "summary",
    "description",
    "ratio",
    "count",
    "wilson_upper",
    "dashboard_url",
    "runbook_url",
}


def run_tool(*argv: str | Path) -> str:
    result = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=30)
    output = f"$ {' '.join(map(str, argv))}\n{result.stdout}{result.stderr}"
    assert result.returncode == 0, output
    return output


def satisfaction_alerts(document: dict) -> dict[str, dict]:
    """The CenterSatisfactionBelowTarget rules, keyed by severity."""
    return {
        rule["labels"]["severity"]: rule
        for group in document["groups"]
        for rule in group["rules"]
        if rule.get("alert") == rules.SATISFACTION_ALERT
    }


def recorded_names(document: dict) -> set[str]:
    return {rule["record"] for group in document["groups"] for rule in group["rules"] if "record" in rule}


def prod_parameters(**overrides) -> RuleParameters:
    parameters = rule_parameters(shipped.shipped_settings(), "prod")
    return RuleParameters(**{**parameters.__dict__, **overrides})


# --- shipped files ---------------------------------------------------------------------------


def test_shipped_rules_pass_promtool_check():
    run_tool(Settings().promtool_binary, "check", "rules", shipped.SHIPPED_RULES_FILE)


def test_shipped_rules_pass_promtool_unit_tests():
    run_tool(Settings().promtool_binary, "test", "rules", shipped.SHIPPED_RULES_TEST)


def test_shipped_prometheus_config_passes_promtool_check():
    output = run_tool(Settings().promtool_binary, "check", "config", shipped.SHIPPED_PROMETHEUS_CONFIG)
    assert "1 rule files found" in output


def test_shipped_files_match_the_renderer():
    assert shipped.drifted_files() == [], "run: python -m monitoring.shipped"


def test_shipped_prometheus_config_scrapes_the_compose_services():
    config = yaml.safe_load(shipped.SHIPPED_PROMETHEUS_CONFIG.read_text())
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    assert targets["dost-worker"] == ["worker-1:9101", "worker-2:9101"]
    assert targets["dost-web"] == ["web:8000"]
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["alertmanager:9093"]
    assert config["global"]["evaluation_interval"] == "1m"


# --- the renderer ----------------------------------------------------------------------------


def test_min_ratings_lands_in_both_satisfaction_alerts():
    document = render_rules(prod_parameters(min_ratings=50))
    for severity, rule in satisfaction_alerts(document).items():
        assert "dost:center_ratings:max" in rule["expr"], severity
        assert ">= 50" in rule["expr"], severity
        assert ">= 30" not in rule["expr"], severity


def test_min_ratings_default_comes_from_settings():
    params = rule_parameters(Settings(alert_min_ratings=42), "prod")
    assert params.min_ratings == 42


def test_prod_profile_for_durations():
    alerts = satisfaction_alerts(render_rules(prod_parameters()))
    assert alerts["warning"]["for"] == "30m"
    assert alerts["page"]["for"] == "10m"


def test_dev_profile_has_short_for_durations():
    document = render_rules(rule_parameters(Settings(), "dev"))
    for group in document["groups"]:
        for rule in group["rules"]:
            if "alert" in rule and "for" in rule:  # DostDeadLettersAppearing has none
                assert rule["for"].endswith("s") and not rule["for"].endswith("ms"), rule
                assert int(rule["for"][:-1]) <= 10, rule


def test_warning_uses_24h_ratio_and_page_uses_wilson_upper_in_24h_and_7d():
    alerts = satisfaction_alerts(render_rules(prod_parameters()))
    assert 'dost:center_satisfaction:ratio{window="24h"}' in alerts["warning"]["expr"]
    assert "wilson" not in alerts["warning"]["expr"]
    assert 'dost:center_satisfaction_wilson_upper:ratio{window=~"24h|7d"}' in alerts["page"]["expr"]
    for rule in alerts.values():
        assert "< on (center_id) group_left" in rule["expr"]
        assert "dost:center_satisfaction_target:max" in rule["expr"]


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


def test_runbook_anchors_exist_in_operations_doc():
    operations = (shipped.MONITORING_DIR.parent / "docs" / "operations.md").read_text()
    for anchor in (rules.RUNBOOK_ANCHOR_WARNING, rules.RUNBOOK_ANCHOR_PAGE, rules.RUNBOOK_ANCHOR_WORKER_DOWN):
        assert f'<a id="{anchor}"></a>' in operations


def test_recording_rules_cover_counts_ratio_target_and_both_bounds():
    assert recorded_names(render_rules(prod_parameters())) == {
        "dost:center_ratings:max",
        "dost:center_satisfied:max",
        "dost:center_satisfaction:ratio",
        "dost:center_satisfaction_target:max",
        "dost:center_satisfaction_wilson_upper:ratio",
        "dost:center_satisfaction_wilson_lower:ratio",
        "dost:center_info:max",
        "dost:center_open:max",
        "dost:center_ratings_per_open_hour:7d",
        "dost:network_ratings:sum",
        "dost:network_satisfied:sum",
        "dost:network_satisfaction:ratio",
        "dost:network_ratings:increase",
        "dost:network_burn_rate:ratio",
        "dost:worker_consumer_lag:sum",
        "dost:sentiment_consumer_lag:sum",
    }


def test_rendered_dev_rules_pass_promtool_check(tmp_path: Path):
    settings = Settings(state_dir=tmp_path)
    configs = write_local_configs(
        settings, tmp_path, worker_targets=["127.0.0.1:9101", "127.0.0.1:9102"], web_targets=["127.0.0.1:8000"]
    )
    run_tool(settings.promtool_binary, "check", "rules", configs.rules_file)
    output = run_tool(settings.promtool_binary, "check", "config", configs.prometheus_config)
    assert "1 rule files found" in output


def test_render_prometheus_config_for_a_local_run():
    config = render_prometheus_config(
        worker_targets=["127.0.0.1:9101"],
        web_targets=["127.0.0.1:8000"],
        alertmanager_target="127.0.0.1:9093",
        rule_files=["/run/rules/satisfaction.rules.yml"],
        scrape_interval="2s",
        evaluation_interval="2s",
    )
    assert config["global"] == {"scrape_interval": "2s", "evaluation_interval": "2s"}
    assert config["rule_files"] == ["/run/rules/satisfaction.rules.yml"]
    assert [job["job_name"] for job in config["scrape_configs"]] == ["dost-worker", "dost-web"]
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["127.0.0.1:9093"]
    assert "alerting" not in render_prometheus_config(["w:1"], [], None, [], "2s", "2s")


# --- the Wilson bound in PromQL equals the Python reference -----------------------------------

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
        for metric, expected in ((rules.CENTER_WILSON_UPPER, upper), (rules.CENTER_WILSON_LOWER, lower)):
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
                            {"expr": rules.CENTER_WILSON_UPPER, "eval_time": "2m", "exp_samples": []},
                            {"expr": rules.CENTER_WILSON_LOWER, "eval_time": "2m", "exp_samples": []},
                        ],
                    }
                ],
            }
        )
    )
    run_tool(Settings().promtool_binary, "test", "rules", test_file)
