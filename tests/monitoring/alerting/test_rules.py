"""The whole rule file: every alert's labels and annotations, runbook anchors, the recorded names, timings."""

from __future__ import annotations

import pytest

from dost_contract.settings import Settings
from monitoring import names
from monitoring.alerting import shipped
from monitoring.alerting.parameters import rule_parameters
from monitoring.alerting.rules import render_rules
from tests.monitoring.alerting.rule_helpers import alert_rules, prod_parameters, recorded_names

pytestmark = pytest.mark.timeout(60)


def test_every_alert_has_severity_summary_description_dashboard_and_runbook():
    for rule in alert_rules(render_rules(prod_parameters())):
        name = rule["alert"]
        severities = {names.WATCHDOG_SEVERITY} if name == names.WATCHDOG_ALERT else {"page", "warning", "ticket"}
        assert rule["labels"]["severity"] in severities, name
        assert {"summary", "description", "dashboard_url", "runbook_url"} <= set(rule["annotations"]), name
        assert rule["annotations"]["dashboard_url"].startswith("http://127.0.0.1:3000/d/dost-"), name


def test_every_runbook_anchor_exists_in_operations_doc():
    operations = (shipped.MONITORING_DIR.parent / "docs" / "operations.md").read_text()
    anchors = {rule["annotations"]["runbook_url"] for rule in alert_rules(render_rules(prod_parameters()))}
    assert len(anchors) >= len(names.ALERT_NAMES)
    for url in anchors:
        document, _, anchor = url.partition("#")
        assert document == "docs/operations.md" and anchor, url
        assert f'<a id="{anchor}"></a>' in operations, f"docs/operations.md lacks the runbook anchor {anchor!r}"


def test_recording_rules_cover_counts_ratio_target_and_both_bounds():
    assert recorded_names(render_rules(prod_parameters())) == {
        "dost:center_ratings:max",
        "dost:center_satisfied:max",
        "dost:center_satisfaction:ratio",
        "dost:center_satisfaction_target:max",
        "dost:center_change_score:max",
        "dost:center_change_since:max",
        "dost:center_change_ratings:max",
        "dost:center_change_unsatisfied:max",
        "dost:center_change_evidence:ratio",
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


def test_dev_profile_has_short_for_durations():
    document = render_rules(rule_parameters(Settings(), "dev"))
    for group in document["groups"]:
        for rule in group["rules"]:
            if "alert" in rule and "for" in rule:  # DostDeadLettersAppearing has none
                assert rule["for"].endswith("s") and not rule["for"].endswith("ms"), rule
                assert int(rule["for"][:-1]) <= 10, rule
