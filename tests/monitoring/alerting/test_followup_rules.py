"""FollowupCasesOverdue as rendered (pure); its behaviour is promtool-tested in
monitoring/prometheus/tests/followup_test.yml (tests/monitoring/alerting/test_shipped.py runs it)."""

from __future__ import annotations

from dost_contract.settings import Settings
from monitoring import names
from monitoring.alerting.followup_rules import followup_group
from monitoring.alerting.parameters import rule_parameters


def test_a_ticket_per_center_with_its_region_held_like_a_ticket():
    for profile, hold in (("prod", "15m"), ("dev", "6s")):
        group = followup_group(rule_parameters(Settings(), profile))
        (rule,) = group["rules"]
        assert group["name"] == names.FOLLOWUP_GROUP and rule["alert"] == "FollowupCasesOverdue"
        assert rule["labels"] == {"severity": "ticket"} and rule["for"] == hold
        assert "max by (center_id) (dost_followup_cases_overdue) > 0" in rule["expr"]
        assert "group_left (region)" in rule["expr"]  # Alertmanager routes it to the region's managers
        assert rule["annotations"]["runbook_url"].endswith("#followup-cases-overdue")
        assert "/d/dost-followup/" in rule["annotations"]["dashboard_url"]
