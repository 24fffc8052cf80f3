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


PROMTOOL_TESTS = sorted(shipped.SHIPPED_RULES_TEST.parent.glob("*.yml"))


@pytest.mark.parametrize("test_file", PROMTOOL_TESTS, ids=lambda path: path.name)
def test_shipped_rules_pass_promtool_unit_tests(test_file: Path):
    run_tool(Settings().promtool_binary, "test", "rules", test_file)


def alert_rules(document: dict) -> list[dict]:
    return [rule for group in document["groups"] for rule in group["rules"] if "alert" in rule]


def test_every_alert_has_firing_and_not_firing_promtool_cases():
    firing: set[str] = set()
    quiet: set[str] = set()
    for path in PROMTOOL_TESTS:
        for test in yaml.safe_load(path.read_text())["tests"]:
            for case in test.get("alert_rule_test", []):
                (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    shipped_alerts = {rule["alert"] for rule in alert_rules(yaml.safe_load(shipped.SHIPPED_RULES_FILE.read_text()))}
    assert shipped_alerts == set(rules.ALERT_NAMES)
    assert shipped_alerts - firing == set(), "alerts without a firing promtool case"
    assert shipped_alerts - quiet == set(), "alerts without a not-firing promtool case"


def test_every_alert_has_severity_summary_description_dashboard_and_runbook():
    for rule in alert_rules(render_rules(prod_parameters())):
        name = rule["alert"]
        assert rule["labels"]["severity"] in {"page", "warning", "ticket"}, name
        assert {"summary", "description", "dashboard_url", "runbook_url"} <= set(rule["annotations"]), name
        assert rule["annotations"]["dashboard_url"].startswith("http://127.0.0.1:3000/d/dost-"), name


def test_every_runbook_anchor_exists_in_operations_doc():
    operations = (shipped.MONITORING_DIR.parent / "docs" / "operations.md").read_text()
    anchors = {rule["annotations"]["runbook_url"] for rule in alert_rules(render_rules(prod_parameters()))}
    assert len(anchors) >= len(rules.ALERT_NAMES)
    for url in anchors:
        document, _, anchor = url.partition("#")
        assert document == "docs/operations.md" and anchor, url
        assert f'<a id="{anchor}"></a>' in operations, f"docs/operations.md lacks the runbook anchor {anchor!r}"


def test_center_alerts_carry_the_region_and_keep_their_value():
    for rule in alert_rules(render_rules(prod_parameters())):
        if rule["alert"] in (rules.SATISFACTION_ALERT, rules.NO_RATINGS_ALERT):
            # Joined with the info gauge (value 1); centers without it still alert, region-less.
            assert "* on (center_id) group_left (region)" in rule["expr"], rule["alert"]
            assert "topk by (center_id) (1, dost:center_info:max)" in rule["expr"]
            assert "unless on (center_id)\n  dost:center_info:max" in rule["expr"]


def test_burn_rate_rules_use_the_error_budget_from_settings():
    document = render_rules(rule_parameters(Settings(default_target=0.99), "prod"))
    burn = [rule for group in document["groups"] for rule in group["rules"]
            if rule.get("record") == rules.NETWORK_BURN_RATE]
    assert [rule["labels"]["window"] for rule in burn] == ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
    for rule in burn:
        assert rule["expr"].endswith("/ 0.01"), rule
        assert 'rating=~"1|2|3"' in rule["expr"]


def test_burn_rate_alerts_follow_the_sre_workbook_windows_with_a_volume_guard():
    params = prod_parameters(burn_min_ratings=250)
    alerts = [rule for rule in alert_rules(render_rules(params)) if rule["alert"] == rules.BURN_ALERT]
    assert [(a["labels"]["severity"], a["labels"]["burn_window"]) for a in alerts] == [
        ("page", "1h/5m"), ("page", "6h/30m"), ("ticket", "1d/2h"), ("ticket", "3d/6h")
    ]
    thresholds = {"1h/5m": "14.4", "6h/30m": "6", "1d/2h": "3", "3d/6h": "1"}
    for alert in alerts:
        long, short = alert["labels"]["burn_window"].split("/")
        limit = thresholds[alert["labels"]["burn_window"]]
        assert f'dost:network_burn_rate:ratio{{window="{long}"}}) > {limit}\n' in alert["expr"]
        assert f'dost:network_burn_rate:ratio{{window="{short}"}} > {limit}\n' in alert["expr"]
        assert f'dost:network_ratings:increase{{window="{long}"}} >= 250' in alert["expr"]


def test_pipeline_thresholds_come_from_settings():
    settings = Settings(alert_consumer_lag_messages=4321, alert_sentiment_backlog_messages=765,
                        alert_no_ratings_min_expected=12.5)
    exprs = {rule["alert"]: rule["expr"] for rule in alert_rules(render_rules(rule_parameters(settings, "prod")))}
    assert "dost:worker_consumer_lag:sum > 4321" in exprs[rules.LAG_ALERT]
    assert "deriv(dost:worker_consumer_lag:sum[10m]) > 0" in exprs[rules.LAG_ALERT]
    assert "dost:sentiment_consumer_lag:sum > 765" in exprs[rules.SENTIMENT_BACKLOG_ALERT]
    assert "dost:center_silent_expected_ratings:max >= 12.5" in exprs[rules.NO_RATINGS_ALERT]
    assert "increase(dost_worker_deadletters_total[15m])" in exprs[rules.DEADLETTER_ALERT]


def test_silence_lookbacks_and_evaluation_step_come_from_the_profile():
    document = render_rules(rule_parameters(Settings(), "dev"))
    [silence] = [rule for group in document["groups"] for rule in group["rules"]
                 if rule.get("record") == rules.CENTER_SILENT_EXPECTED]
    # dev: lookbacks 30s and 1m, evaluation every 2s = 2/3600 h per sample.
    assert "[30s]" in silence["expr"] and "[1m]" in silence["expr"] and "[8h]" not in silence["expr"]
    assert f"* {2 / 3600!r})" in silence["expr"]


def test_duration_seconds():
    assert rules.duration_seconds("90s") == 90
    assert rules.duration_seconds("1h30m") == 5400
    assert rules.duration_seconds("3d") == 3 * 86400
    with pytest.raises(ValueError, match="not a Prometheus duration"):
        rules.duration_seconds("1.5h")


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
    assert targets["dost-sentiment"] == ["sentiment-worker:9103"]
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
        "dost:center_silent_expected_ratings:max",
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
        sentiment_targets=["127.0.0.1:9103"],
    )
    assert config["global"] == {"scrape_interval": "2s", "evaluation_interval": "2s"}
    assert config["rule_files"] == ["/run/rules/satisfaction.rules.yml"]
    assert [job["job_name"] for job in config["scrape_configs"]] == ["dost-worker", "dost-sentiment", "dost-web"]
    assert config["scrape_configs"][1]["static_configs"] == [{"targets": ["127.0.0.1:9103"]}]
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
