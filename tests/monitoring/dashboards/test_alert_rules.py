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
        assert refs["C"]["model"]["conditions"][0]["evaluator"] == {"type": "lt", "params": [0]}
        assert rule["annotations"]["dashboard_url"].endswith(f"{CENTER_DASHBOARD.path}?var-center_id={{{{ $labels.center_id }}}}")
        assert {"summary", "description", "runbook_url"} <= set(rule["annotations"])
    assert 'dost:center_satisfaction:ratio{window="24h"}' in rules["warning"]["data"][0]["model"]["expr"]
    assert 'dost:center_satisfaction_wilson_upper:ratio{window=~"24h|7d"}' in rules["page"]["data"][0]["model"]["expr"]
