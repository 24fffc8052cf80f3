"""Follow-up cases past their deadline: the ``FollowupCasesOverdue`` ticket. Pure.

The case agent (``streams/followup``) exports ``dost_followup_cases_overdue{center_id}``:
open or in-progress cases whose working-hours deadline has passed. Any such case for the
ticket's hold opens a ticket per center, with the center's ``region`` (from the worker's
info gauge), so Alertmanager's ``managers`` route sends it to that region's center managers
by e-mail (``alertmanager_config``, ``config/oncall.yaml`` ``managers:``), never to the
on-call SMS: an overdue case is work for the center, not an outage.
"""

from __future__ import annotations

from typing import Any

from dost_contract import metric_names as series
from monitoring.alerting.parameters import RuleParameters
from monitoring.alerting.promql import NO_DECIMALS, alert, dashboard_url, runbook_url, with_region
from monitoring.names import (
    FOLLOWUP_DASHBOARD,
    FOLLOWUP_GROUP,
    FOLLOWUP_OVERDUE_ALERT,
    RUNBOOK_ANCHOR_FOLLOWUP_OVERDUE,
)

FOLLOWUP_SEVERITY = "ticket"


def followup_overdue_alert(params: RuleParameters) -> dict[str, Any]:
    # max: one series per center even while two agent processes are scraped during a rollover.
    overdue = f"max by (center_id) ({series.FOLLOWUP_CASES_OVERDUE}) > 0"
    return alert(
        FOLLOWUP_OVERDUE_ALERT,
        with_region(overdue),
        hold=params.timings.alert_burn_ticket_for,  # a ticket's hold, like the slow budget burn
        severity=FOLLOWUP_SEVERITY,
        annotations={
            "summary": "{{ $labels.center_id }}: {{ $value | " + NO_DECIMALS + " }} follow-up case(s) past their "
                       "deadline",
            "description": (
                "{{ $value | " + NO_DECIMALS + " }} unhappy citizens' cases at {{ $labels.center_id }} are open past "
                "their deadline (working hours of the center). Take them on the managers' pages (/manage) or "
                "`dost-feedback cases list --center {{ $labels.center_id }}`."
            ),
            "count": "{{ $value | " + NO_DECIMALS + " }}",
            "dashboard_url": f"{dashboard_url(params, FOLLOWUP_DASHBOARD)}?var-center_id={{{{ $labels.center_id }}}}",
            "runbook_url": runbook_url(params, RUNBOOK_ANCHOR_FOLLOWUP_OVERDUE),
        },
    )


def followup_group(params: RuleParameters) -> dict[str, Any]:
    return {"name": FOLLOWUP_GROUP, "rules": [followup_overdue_alert(params)]}
