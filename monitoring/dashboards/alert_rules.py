"""The contract's ``CenterSatisfactionBelowTarget`` as Grafana-managed alert rules.

For teams that alert from Grafana: the same warning and page as the Prometheus rules
(``monitoring.alerting``), from the same recording rules, thresholds and ``for:`` durations,
written as a Grafana alerting file-provisioning document (``apiVersion: 1``, ``groups``).
Pure: rule parameters in, a dict out; ``monitoring.dashboards.files`` writes it to
``monitoring/grafana/provisioning/alerting/dost-alert-rules.yml``.

Each rule queries Prometheus (ref A, an instant query), reduces it to the last value per
series (B) and fires where that value is above zero (C, the condition). Query A returns,
per center, the change detectors' score minus (level - 1/2) points, the largest over the
detectors, only where the center had at least ``min_ratings`` ratings in 30 days. The scores
are whole points, so "above level - 1/2" is exactly the Prometheus rule's "score >= level":
both read the same worker gauges and latch, so Grafana and Prometheus never disagree.

Grafana requires rule titles to be unique within a folder, so the two severities are two
rules titled ``CenterSatisfactionBelowTarget warning`` / ``... page``; both carry the label
``alert=CenterSatisfactionBelowTarget`` for routing and silences that match either.
"""

from __future__ import annotations

from typing import Any

from monitoring.alerting.center_rules import GUARD_WINDOW, evidence_sentence, warning_points
from monitoring.alerting.parameters import RuleParameters
from monitoring.alerting.promql import center_dashboard_url, runbook_url
from monitoring.dashboards.panels import DATASOURCE_UID
from monitoring.names import (
    CENTER_CHANGE_SCORE,
    CENTER_DASHBOARD,
    CENTER_RATINGS,
    RUNBOOK_ANCHOR_PAGE,
    RUNBOOK_ANCHOR_WARNING,
    SATISFACTION_ALERT,
)

EXPRESSION_DATASOURCE = {"type": "__expr__", "uid": "__expr__"}
RULE_GROUP = "dost-center-satisfaction"
RULE_FOLDER = "DOST"
GROUP_INTERVAL = "1m"  # Grafana evaluates a group at most once per 10 s; 1m as Prometheus prod
QUERY_WINDOW_SECONDS = 600  # relative time range of the instant query (now-10m .. now)


def points_over_level_expr(levels: dict[str, int], min_ratings: int, hold: str) -> str:
    """Per center, the largest ``score - (level - 0.5)`` over the detectors in ``levels`` and
    the last ``hold`` (> 0: at or above the level), where the center has ``min_ratings``
    ratings in 30 days."""
    parts = "\nor\n".join(
        f'  max_over_time({CENTER_CHANGE_SCORE}{{detector="{name}"}}[{hold}]) - {level - 0.5!r}'
        for name, level in levels.items()
    )
    return (
        f"max by (center_id) (\n{parts}\n)\n"
        f"and on (center_id)\n"
        f'{CENTER_RATINGS}{{window="{GUARD_WINDOW}"}} >= {min_ratings}'
    )


def _query(expr: str) -> dict[str, Any]:
    return {
        "refId": "A",
        "relativeTimeRange": {"from": QUERY_WINDOW_SECONDS, "to": 0},
        "datasourceUid": DATASOURCE_UID,
        "model": {
            "refId": "A",
            "datasource": {"type": "prometheus", "uid": DATASOURCE_UID},
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
                          "conditions": [{"evaluator": {"type": "gt", "params": [0]}}]}),
    ]


def _annotations(params: RuleParameters, anchor: str, summary: str) -> dict[str, str]:
    return {
        "summary": summary,
        "description": (
            evidence_sentence(params) + ". Change detector score {{ humanize $values.B.Value }} points past its level "
            "(at least " + str(params.min_ratings) + " ratings in 30 days)."
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
    detector, warning_level = warning_points(params)
    warning = _rule(
        "dost-center-satisfaction-warning", "warning",
        points_over_level_expr({detector: warning_level}, params.min_ratings, params.detector_hold),
        params.timings.alert_warning_for,
        _annotations(params, RUNBOOK_ANCHOR_WARNING,
                     "DOST center {{ $labels.center_id }}: early evidence that satisfaction is slipping below target"),
    )
    page = _rule(
        "dost-center-satisfaction-page", "page",
        points_over_level_expr({spec.name: spec.page_points for spec in params.detectors}, params.min_ratings,
                               params.detector_hold),
        params.timings.alert_page_for,
        _annotations(params, RUNBOOK_ANCHOR_PAGE,
                     "DOST center {{ $labels.center_id }} has fallen below its satisfaction target"),
    )
    return {
        "apiVersion": 1,
        "groups": [
            {"orgId": 1, "name": RULE_GROUP, "folder": RULE_FOLDER, "interval": GROUP_INTERVAL,
             "rules": [warning, page]},
        ],
    }
