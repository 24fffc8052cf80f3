"""The alert path's own health: who watches the watchers. Pure.

- ``Watchdog`` always fires. Alertmanager sends it, every ``repeat_interval``, to the
  dead-man's-switch route (``alertmanager_config``), which the on-call receiver relays to an
  external heartbeat service (``DOST_HEARTBEAT_URL``). If Prometheus, its rules,
  Alertmanager or the receiver die, the heartbeats stop and the *external* service pages:
  the one failure nothing inside can report (docs/operations.md#watchdog).
- ``DostWebDown``, ``DostOncallReceiverDown``, ``DostAlertmanagerDown``: a scrape target down
  (or missing from the scrape entirely). A down receiver or Alertmanager cannot deliver its
  own alert; the Watchdog's silence is what reaches people, and these say which part died.
- ``DostWebBrokerUnavailable``: the web answers ratings or SMS with "broker unavailable":
  citizens' ratings are refused right now.
"""

from __future__ import annotations

from typing import Any

from dost_contract import metric_names as series
from monitoring.alerting.parameters import RuleParameters
from monitoring.alerting.promql import alert, dashboard_url, runbook_url
from monitoring.names import (
    ALERT_PATH_GROUP,
    ALERTMANAGER_DOWN_ALERT,
    ALERTMANAGER_JOB,
    PIPELINE_DASHBOARD,
    RECEIVER_DOWN_ALERT,
    RECEIVER_JOB,
    RUNBOOK_ANCHOR_ALERTMANAGER_DOWN,
    RUNBOOK_ANCHOR_RECEIVER_DOWN,
    RUNBOOK_ANCHOR_WATCHDOG,
    RUNBOOK_ANCHOR_WEB_BROKER,
    RUNBOOK_ANCHOR_WEB_DOWN,
    WATCHDOG_ALERT,
    WATCHDOG_SEVERITY,
    WEB_BROKER_ALERT,
    WEB_DOWN_ALERT,
    WEB_JOB,
)

# How far back the web's broker failures are counted.
BROKER_FAILURE_WINDOW = "5m"


def _annotations(params: RuleParameters, anchor: str, **texts: str) -> dict[str, str]:
    return {**texts, "dashboard_url": dashboard_url(params, PIPELINE_DASHBOARD),
            "runbook_url": runbook_url(params, anchor)}


def watchdog_alert(params: RuleParameters) -> dict[str, Any]:
    return alert(
        WATCHDOG_ALERT,
        "vector(1)",
        severity=WATCHDOG_SEVERITY,
        annotations=_annotations(
            params, RUNBOOK_ANCHOR_WATCHDOG,
            summary="The DOST alert path is alive (this alert always fires)",
            description=(
                "Prometheus evaluates rules and Alertmanager delivers them to the on-call receiver, which relays "
                "this heartbeat to the external dead-man's switch. If the heartbeats stop, that service pages."
            ),
        ),
    )


def _service_down_alert(params: RuleParameters, name: str, job: str, what: str, consequence: str,
                        anchor: str) -> dict[str, Any]:
    # `absent` covers a target that is not scraped at all (e.g. its DNS name is gone).
    return alert(
        name,
        f'up{{job="{job}"}} == 0 or absent(up{{job="{job}"}})',
        hold=params.timings.alert_worker_down_for,
        severity="page",
        annotations=_annotations(
            params, anchor,
            summary=f"DOST {what} {{{{ $labels.instance }}}} is down",
            description=f"Prometheus cannot scrape the {what} (job {job}). {consequence}",
        ),
    )


def web_down_alert(params: RuleParameters) -> dict[str, Any]:
    return _service_down_alert(
        params, WEB_DOWN_ALERT, WEB_JOB, "feedback web",
        "Kiosks, QR forms and the SMS webhook cannot take ratings; kiosks queue them until it is back.",
        RUNBOOK_ANCHOR_WEB_DOWN,
    )


def receiver_down_alert(params: RuleParameters) -> dict[str, Any]:
    return _service_down_alert(
        params, RECEIVER_DOWN_ALERT, RECEIVER_JOB, "on-call receiver",
        "No alert reaches on-call staff (Alertmanager keeps retrying); the Watchdog heartbeat stops too.",
        RUNBOOK_ANCHOR_RECEIVER_DOWN,
    )


def alertmanager_down_alert(params: RuleParameters) -> dict[str, Any]:
    return _service_down_alert(
        params, ALERTMANAGER_DOWN_ALERT, ALERTMANAGER_JOB, "Alertmanager",
        "Prometheus cannot hand alerts to anyone; the Watchdog heartbeat stops and the external switch pages.",
        RUNBOOK_ANCHOR_ALERTMANAGER_DOWN,
    )


def web_broker_alert(params: RuleParameters) -> dict[str, Any]:
    window = BROKER_FAILURE_WINDOW
    # The two counters carry different labels (reason, outcome), so `or` keeps both.
    refused = (
        f'  increase({series.WEB_FEEDBACK_REJECTED_TOTAL}{{reason="broker_unavailable"}}[{window}])\n'
        f'or\n'
        f'  increase({series.WEB_SMS_REPLIES_TOTAL}{{outcome="broker_unavailable"}}[{window}])'
    )
    return alert(
        WEB_BROKER_ALERT,
        f"sum by (instance) (\n{refused}\n) > 0",
        hold=params.timings.alert_worker_down_for,
        severity="page",
        annotations=_annotations(
            params, RUNBOOK_ANCHOR_WEB_BROKER,
            summary="DOST web {{ $labels.instance }} cannot reach Kafka: ratings are refused",
            description=(
                f"About {{{{ $value | printf \"%.0f\" }}}} ratings or SMS replies were answered 503 'broker "
                f"unavailable' in the last {window}: the broker did not acknowledge them in time."
            ),
            count='{{ $value | printf "%.0f" }}',
        ),
    )


def alert_path_group(params: RuleParameters) -> dict[str, Any]:
    return {
        "name": ALERT_PATH_GROUP,
        "rules": [
            watchdog_alert(params),
            web_down_alert(params),
            web_broker_alert(params),
            receiver_down_alert(params),
            alertmanager_down_alert(params),
        ],
    }
