"""The Grafana-managed CenterSatisfactionBelowTarget rules mirror the Prometheus ones."""

from __future__ import annotations

import yaml

from monitoring.alerting.parameters import rule_parameters
from monitoring.alerting.shipped import shipped_settings
from monitoring.dashboards import files as grafana_files
from monitoring.dashboards.alert_rules import grafana_alert_rules
from monitoring.dashboards.panels import DATASOURCE_UID
from monitoring.names import CENTER_DASHBOARD, SATISFACTION_ALERT


def test_grafana_alert_rules_mirror_the_contract_alert():
    document = yaml.safe_load(grafana_files.ALERT_RULES_FILE.read_text())
    params = rule_parameters(shipped_settings(), "prod")
    assert document == grafana_alert_rules(params)
    assert document["apiVersion"] == 1
    [group] = document["groups"]
    assert group["folder"] == shipped_settings().grafana_folder and group["interval"] and group["orgId"] == 1
    rules = {rule["labels"]["severity"]: rule for rule in group["rules"]}
    assert sorted(rules) == ["page", "warning"]
    assert len({rule["uid"] for rule in group["rules"]}) == 2
    assert rules["warning"]["for"] == params.timings.alert_warning_for and rules["page"]["for"] == params.timings.alert_page_for
    for severity, rule in rules.items():
        assert rule["labels"]["alert"] == SATISFACTION_ALERT and rule["title"].startswith(SATISFACTION_ALERT)
        refs = {item["refId"]: item for item in rule["data"]}
        assert rule["condition"] in refs
        query = refs["A"]
        assert query["datasourceUid"] == DATASOURCE_UID and query["model"]["instant"] is True
        assert f">= {params.min_ratings}" in query["model"]["expr"]
        for ref in ("B", "C"):
            assert refs[ref]["datasourceUid"] == "__expr__"
        assert refs["B"]["model"]["expression"] == "A" and refs["C"]["model"]["expression"] == "B"
        assert refs["C"]["model"]["conditions"][0]["evaluator"] == {"type": "gt", "params": [0]}
        assert rule["annotations"]["dashboard_url"].endswith(f"{CENTER_DASHBOARD.path}?var-center_id={{{{ $labels.center_id }}}}")
        assert {"summary", "description", "runbook_url"} <= set(rule["annotations"])
    assert ('max_over_time(dost:center_change_score:max{detector="small"}[1h]) - 545.5'
            in rules["warning"]["data"][0]["model"]["expr"])
    assert ('max_over_time(dost:center_change_score:max{detector="large"}[1h]) - 205.5'
            in rules["page"]["data"][0]["model"]["expr"])


def test_grafana_page_query_is_above_zero_exactly_where_the_prometheus_page_condition_holds(tmp_path):
    """Scores either side of each level: Grafana's query A > 0 and the Prometheus page's
    condition select the same centers (promtool evaluates both against the shipped rules)."""
    from dost_contract.change_detection import LARGE_DROP, SMALL_DROP
    from dost_contract.settings import Settings
    from monitoring.alerting import shipped
    from tests.monitoring.alerting.rule_helpers import run_tool

    cases = {"s-under": (SMALL_DROP.page_points - 1, 0), "s-at": (SMALL_DROP.page_points, 0),
             "l-under": (0, LARGE_DROP.page_points - 1), "l-at": (0, LARGE_DROP.page_points), "few": (9999, 9999)}
    series = []
    for center, (small, large) in cases.items():
        for detector, score in (("small", small), ("large", large)):
            series.append({"series": f'dost_center_change_score{{center_id="{center}",detector="{detector}"}}', "values": f"{score}x3"})
        ratings = 10 if center == "few" else 5000
        series.append({"series": f'dost_center_ratings{{center_id="{center}",window="30d"}}', "values": f"{ratings}x3"})
    params = rule_parameters(shipped_settings(), "prod")
    [page] = [r for r in grafana_alert_rules(params)["groups"][0]["rules"] if r["labels"]["severity"] == "page"]
    grafana_a = page["data"][0]["model"]["expr"]
    expected = [{"labels": f'{{center_id="{c}"}}', "value": 1} for c in ("l-at", "s-at")]
    prometheus = ("max by (center_id) (max_over_time(dost:center_change_evidence:ratio[1h])) >= bool 1 == 1 "
                  'and on (center_id) dost:center_ratings:max{window="30d"} >= 30')
    test = {"rule_files": [str(shipped.SHIPPED_RULES_FILE)], "evaluation_interval": "1m", "tests": [{
        "interval": "1m", "input_series": series, "promql_expr_test": [
            {"expr": f"({grafana_a}) > bool 0 == 1", "eval_time": "2m", "exp_samples": expected},
            {"expr": prometheus, "eval_time": "2m", "exp_samples": expected}]}]}
    path = tmp_path / "agree_test.yml"
    path.write_text(yaml.safe_dump(test))
    run_tool(Settings().promtool_binary, "test", "rules", path)
