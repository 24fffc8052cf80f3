"""The contract's ``CenterSatisfactionBelowTarget`` as Grafana-managed alert rules.

For teams that alert from Grafana: the same warning and page as the Prometheus rules
(``monitoring.alerting``), from the same recording rules, thresholds and ``for:`` durations,
written as a Grafana alerting file-provisioning document (``apiVersion: 1``, ``groups``).
Pure: rule parameters in, a dict out; ``monitoring.dashboards.files`` writes it to
``monitoring/grafana/provisioning/alerting/dost-alert-rules.yml``.

Each rule queries Prometheus (ref A, an instant query), reduces it to the last value per
series (B) and fires where that value is below zero (C, the condition). Query A returns,
per center (and window), *ratio - target*, only where the window holds at least
``min_ratings`` ratings: so every center with enough data is evaluated (Normal above
target), and small samples are absent, never alerting.

Grafana requires rule titles to be unique within a folder, so the two severities are two
rules titled ``CenterSatisfactionBelowTarget warning`` / ``... page``; both carry the label
``alert=CenterSatisfactionBelowTarget`` for routing and silences that match either.
"""

from __future__ import annotations

from typing import Any

from monitoring.alerting.parameters import PAGE_WINDOWS, WARNING_WINDOW, RuleParameters
from monitoring.alerting.promql import center_dashboard_url, runbook_url, window_matcher
from monitoring.dashboards.panels import DATASOURCE, DATASOURCE_UID
from monitoring.names import (
    CENTER_DASHBOARD,
    CENTER_RATINGS,
    CENTER_SATISFACTION_RATIO,
    CENTER_SATISFACTION_TARGET,
    CENTER_WILSON_UPPER,
    RUNBOOK_ANCHOR_PAGE,
    RUNBOOK_ANCHOR_WARNING,
    SATISFACTION_ALERT,
)

EXPRESSION_DATASOURCE = {"type": "__expr__", "uid": "__expr__"}
RULE_GROUP = "dost-center-satisfaction"
RULE_FOLDER = "DOST"
GROUP_INTERVAL = "1m"  # Grafana evaluates a group at most once per 10 s; 1m as Prometheus prod
QUERY_WINDOW_SECONDS = 600  # relative time range of the instant query (now-10m .. now)


def margin_expr(metric: str, windows: tuple[str, ...], min_ratings: int) -> str:
    """``metric - target`` per center and window, where the window has ``min_ratings`` ratings.

    Negative means below target; the Grafana threshold (< 0) is the alert condition.
    """
    selector = window_matcher(windows)
    return (
        f"{metric}{{{selector}}}\n"
        f"  - on (center_id) group_left\n"
        f"{CENTER_SATISFACTION_TARGET}\n"
        f"and on (center_id, window)\n"
        f"{CENTER_RATINGS}{{{selector}}} >= {min_ratings}"
    )


def _query(expr: str) -> dict[str, Any]:
    return {
        "refId": "A",
        "relativeTimeRange": {"from": QUERY_WINDOW_SECONDS, "to": 0},
        "datasourceUid": DATASOURCE_UID,
        "model": {
            "refId": "A",
            "datasource": dict(DATASOURCE),
            "expr": expr,
            "instant": True,
            "range": False,
            "legendFormat": "{{center_id}} {{window}}",
            "intervalMs": 1000,
            "maxDataPoints": 43200,
        },
    }


def _expression(ref_id: str, model: dict[str, Any]) -> dict[str, Any]:
    return {
        "refId": ref_id,
        "relativeTimeRange": {"from": 0, "to": 0},
        "datasourceUid": EXPRESSION_DATASOURCE["uid"],
        "model": {"refId": ref_id, "datasource": dict(EXPRESSION_DATASOURCE), **model},
    }


def rule_data(expr: str) -> list[dict[str, Any]]:
    return [
        _query(expr),
        _expression("B", {"type": "reduce", "expression": "A", "reducer": "last", "settings": {"mode": "dropNN"}}),
        _expression("C", {"type": "threshold", "expression": "B",
                          "conditions": [{"evaluator": {"type": "lt", "params": [0]}}]}),
    ]


def _annotations(params: RuleParameters, anchor: str, summary: str, evidence: str) -> dict[str, str]:
    return {
        "summary": summary,
        "description": (
            "{{ $labels.window }} window: satisfaction "
            + evidence
            + " {{ humanizePercentage $values.B.Value }} relative to the center's target "
            "(negative: below). At least " + str(params.min_ratings) + " ratings in the window."
        ),
        "dashboard_url": center_dashboard_url(params),
        "runbook_url": runbook_url(params, anchor),
        "__dashboardUid__": CENTER_DASHBOARD.uid,
    }


def _rule(uid: str, severity: str, expr: str, pending: str, annotations: dict[str, str]) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": f"{SATISFACTION_ALERT} {severity}",
        "condition": "C",
        "data": rule_data(expr),
        # No series: no center has enough ratings, which is not an incident.
        "noDataState": "OK",
        "execErrState": "Error",
        "for": pending,
        "labels": {"severity": severity, "alert": SATISFACTION_ALERT},
        "annotations": annotations,
        "isPaused": False,
    }


def grafana_alert_rules(params: RuleParameters) -> dict[str, Any]:
    """The alerting provisioning document with the warning and the page rule."""
    warning = _rule(
        "dost-center-satisfaction-warning", "warning",
        margin_expr(CENTER_SATISFACTION_RATIO, (WARNING_WINDOW,), params.min_ratings),
        params.timings.alert_warning_for,
        _annotations(params, RUNBOOK_ANCHOR_WARNING,
                     "DOST center {{ $labels.center_id }}: 24h satisfaction is below target",
                     "ratio minus target is"),
    )
    page = _rule(
        "dost-center-satisfaction-page", "page",
        margin_expr(CENTER_WILSON_UPPER, PAGE_WINDOWS, params.min_ratings),
        params.timings.alert_page_for,
        _annotations(params, RUNBOOK_ANCHOR_PAGE,
                     "DOST center {{ $labels.center_id }} is below its satisfaction target "
                     "({{ $labels.window }}, 95% confidence)",
                     "95% Wilson upper bound minus target is"),
    )
    return {
        "apiVersion": 1,
        "groups": [
            {"orgId": 1, "name": RULE_GROUP, "folder": RULE_FOLDER, "interval": GROUP_INTERVAL,
             "rules": [warning, page]},
        ],
    }
