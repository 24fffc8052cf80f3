"""Network error-budget burn: recording rules from the rating counter, SRE Workbook alerts."""

from __future__ import annotations

import pytest

from dost_contract.settings import Settings
from monitoring import names
from monitoring.alerting.parameters import rule_parameters
from monitoring.alerting.rules import render_rules
from tests.monitoring.alerting.rule_helpers import alert_rules, prod_parameters

pytestmark = pytest.mark.timeout(60)


def test_burn_rate_rules_use_the_error_budget_from_settings():
    document = render_rules(rule_parameters(Settings(default_target=0.99), "prod"))
    burn = [rule for group in document["groups"] for rule in group["rules"]
            if rule.get("record") == names.NETWORK_BURN_RATE]
    assert [rule["labels"]["window"] for rule in burn] == ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
    for rule in burn:
        assert rule["expr"].endswith("/ 0.01"), rule
        assert 'rating=~"1|2|3"' in rule["expr"]


def test_burn_rate_alerts_follow_the_sre_workbook_windows_with_a_volume_guard():
    params = prod_parameters(burn_min_ratings=250)
    alerts = [rule for rule in alert_rules(render_rules(params)) if rule["alert"] == names.BURN_ALERT]
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
