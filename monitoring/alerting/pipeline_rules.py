"""The pipeline-health group: the processes up, consumer lag, dead letters, the sentiment
backlog and failed on-call deliveries (``DostWorkerDown``, ``DostSentimentWorkerDown``,
``DostConsumerLagGrowing``, ``DostDeadLettersAppearing``, ``DostSentimentBacklog``,
``DostOncallDeliveryFailed``, ``DostKioskRepeatedPresses``), with ``dost:worker_consumer_lag:sum`` and
``dost:sentiment_consumer_lag:sum``."""

from __future__ import annotations

from typing import Any

from dost_contract import metric_names as series
from monitoring.alerting.parameters import RuleParameters
from monitoring.alerting.promql import NO_DECIMALS, alert, dashboard_url, runbook_url, scalar_value
from monitoring.names import (
    DEADLETTER_ALERT,
    KIOSK_PRESSES_ALERT,
    LAG_ALERT,
    ONCALL_FAILED_ALERT,
    PIPELINE_DASHBOARD,
    PIPELINE_GROUP,
    RUNBOOK_ANCHOR_DEADLETTERS,
    RUNBOOK_ANCHOR_KIOSK_PRESSES,
    RUNBOOK_ANCHOR_LAG,
    RUNBOOK_ANCHOR_ONCALL_FAILED,
    RUNBOOK_ANCHOR_SENTIMENT_BACKLOG,
    RUNBOOK_ANCHOR_SENTIMENT_DOWN,
    RUNBOOK_ANCHOR_WORKER_DOWN,
    SENTIMENT_BACKLOG_ALERT,
    SENTIMENT_DOWN_ALERT,
    SENTIMENT_JOB,
    SENTIMENT_LAG,
    WORKER_DOWN_ALERT,
    WORKER_JOB,
    WORKER_LAG,
)


def pipeline_recording_rules() -> list[dict[str, Any]]:
    # max by partition: at a rebalance two processes may report a partition for a scrape.
    return [
        {"record": WORKER_LAG, "expr": f"sum(max by (partition) ({series.WORKER_CONSUMER_LAG_MESSAGES}))"},
        {"record": SENTIMENT_LAG, "expr": f"sum(max by (partition) ({series.SENTIMENT_CONSUMER_LAG_MESSAGES}))"},
    ]


def _pipeline_annotations(params: RuleParameters, runbook_anchor: str, **texts: str) -> dict[str, str]:
    return {**texts, "dashboard_url": dashboard_url(params, PIPELINE_DASHBOARD),
            "runbook_url": runbook_url(params, runbook_anchor)}


def _process_down_alert(params: RuleParameters, name: str, job: str, what: str, consequence: str,
                        runbook_anchor: str) -> dict[str, Any]:
    return alert(
        name,
        f'up{{job="{job}"}} == 0',
        hold=params.timings.alert_worker_down_for,
        severity="warning",
        annotations=_pipeline_annotations(
            params, runbook_anchor,
            summary=f"DOST {what} {{{{ $labels.instance }}}} is down",
            description=f"Prometheus cannot scrape {{{{ $labels.instance }}}} (job {{{{ $labels.job }}}}). {consequence}",
        ),
    )


def worker_down_alert(params: RuleParameters) -> dict[str, Any]:
    # While a worker is down its centers' gauges vanish and their alerts resolve.
    return _process_down_alert(
        params, WORKER_DOWN_ALERT, WORKER_JOB, "stream worker",
        "Satisfaction metrics of the centers it owns are missing until another worker takes over its partitions.",
        RUNBOOK_ANCHOR_WORKER_DOWN,
    )


def sentiment_down_alert(params: RuleParameters) -> dict[str, Any]:
    return _process_down_alert(
        params, SENTIMENT_DOWN_ALERT, SENTIMENT_JOB, "sentiment worker",
        "Comments are not scored into feedback.scored until it is back; ratings and satisfaction alerts are "
        "unaffected (its own consumer group), and it catches up from its committed offsets.",
        RUNBOOK_ANCHOR_SENTIMENT_DOWN,
    )


def consumer_lag_alert(params: RuleParameters) -> dict[str, Any]:
    window = params.timings.alert_lag_growth_window
    lag_growth_per_minute = f"deriv({WORKER_LAG}[{window}]) * 60"
    return alert(
        LAG_ALERT,
        (
            f"# many ratings waiting ...\n"
            f"  {WORKER_LAG} > {params.consumer_lag_messages}\n"
            f"# ... and the pile still growing (the workers do not keep up)\n"
            f"and\n"
            f"  deriv({WORKER_LAG}[{window}]) > 0"
        ),
        hold=params.timings.alert_consumer_lag_for,
        severity="warning",
        annotations=_pipeline_annotations(
            params, RUNBOOK_ANCHOR_LAG,
            summary="DOST rating workers are falling behind: {{ $value | printf \"%.0f\" }} ratings waiting",
            description=(
                f"{{{{ $value | printf \"%.0f\" }}}} records of feedback.submitted wait for the rating workers "
                f"(alerts above {params.consumer_lag_messages}), growing by "
                f"{scalar_value(lag_growth_per_minute, NO_DECIMALS)} per minute over "
                f"the last {window}. Satisfaction gauges lag behind reality, so center alerts come late."
            ),
            lag='{{ $value | printf "%.0f" }}',
        ),
    )


def deadletter_alert(params: RuleParameters) -> dict[str, Any]:
    window = params.timings.alert_deadletter_window
    return alert(
        DEADLETTER_ALERT,
        # The worker exports every reason at 0 from start-up, so the first one is an increase.
        # A tablet's repeated presses are dead letters by design; DostKioskRepeatedPresses covers them.
        f'sum by (reason) (increase({series.WORKER_DEADLETTERS_TOTAL}{{reason!="suspect_burst"}}[{window}])) > 0',
        severity="ticket",
        annotations=_pipeline_annotations(
            params, RUNBOOK_ANCHOR_DEADLETTERS,
            summary="DOST dead letters appearing: {{ $labels.reason }}",
            description=(
                f"About {{{{ $value | printf \"%.0f\" }}}} events went to feedback.deadletter with reason "
                f"{{{{ $labels.reason }}}} in the last {window}. They are not counted in any satisfaction "
                "number until fixed and replayed."
            ),
            count='{{ $value | printf "%.0f" }}',
        ),
    )


def sentiment_backlog_alert(params: RuleParameters) -> dict[str, Any]:
    hold = params.timings.alert_sentiment_backlog_for
    return alert(
        SENTIMENT_BACKLOG_ALERT,
        f"{SENTIMENT_LAG} > {params.sentiment_backlog_messages}",
        hold=hold,
        severity="warning",
        annotations=_pipeline_annotations(
            params, RUNBOOK_ANCHOR_SENTIMENT_BACKLOG,
            summary="DOST sentiment backlog: {{ $value | printf \"%.0f\" }} records not yet scored",
            description=(
                f"The sentiment worker is {{{{ $value | printf \"%.0f\" }}}} records of feedback.submitted behind "
                f"(alerts above {params.sentiment_backlog_messages} for {hold}). "
                "Comment sentiment on dashboards is late; ratings are unaffected."
            ),
            lag='{{ $value | printf "%.0f" }}',
        ),
    )


def oncall_failed_alert(params: RuleParameters) -> dict[str, Any]:
    window = params.timings.alert_oncall_failed_window
    failed = f'{series.ONCALL_DELIVERIES_UNDELIVERED}{{state="failed"}}'
    return alert(
        ONCALL_FAILED_ALERT,
        # The gauge counts failed rows in the receiver's outbox (they stay there), so growth
        # within the window means new deliveries were given up; a restart does not reset it.
        f"{failed} - min_over_time({failed}[{window}]) > 0",
        severity="warning",
        annotations=_pipeline_annotations(
            params, RUNBOOK_ANCHOR_ONCALL_FAILED,
            summary="DOST on-call deliveries failed for good on {{ $labels.instance }}",
            description=(
                f"{{{{ $value | printf \"%.0f\" }}}} on-call deliveries were given up after the last retry in the "
                f"last {window}. Someone may have missed an alert: `dost-feedback oncall log --failed` "
                "lists them with the last error."
            ),
            count='{{ $value | printf "%.0f" }}',
        ),
    )


# A tablet whose presses were kept out of the counts this often in this long is being
# abused (a stuck button, someone pressing again and again): managers should look.
KIOSK_PRESSES_WINDOW = "15m"
KIOSK_PRESSES_THRESHOLD = 10


def kiosk_presses_alert(params: RuleParameters) -> dict[str, Any]:
    return alert(
        KIOSK_PRESSES_ALERT,
        f"sum by (center_id, device_id) (increase({series.WEB_KIOSK_SUSPECT_RATINGS_TOTAL}[{KIOSK_PRESSES_WINDOW}]))"
        f" > {KIOSK_PRESSES_THRESHOLD}",
        severity="warning",
        annotations=_pipeline_annotations(
            params, RUNBOOK_ANCHOR_KIOSK_PRESSES,
            summary="DOST kiosk {{ $labels.device_id }} at {{ $labels.center_id }}: repeated presses",
            description=(
                f"About {{{{ $value | printf \"%.0f\" }}}} ratings from tablet {{{{ $labels.device_id }}}} at "
                f"{{{{ $labels.center_id }}}} in the last {KIOSK_PRESSES_WINDOW} were beyond a plausible flow "
                "(the same face again at once, faster than citizens, or more than the center's finished visits). "
                "They are kept but not counted. Check the tablet (a stuck button, someone pressing again and again)."
            ),
            count='{{ $value | printf "%.0f" }}',
        ),
    )


def pipeline_group(params: RuleParameters) -> dict[str, Any]:
    return {
        "name": PIPELINE_GROUP,
        "rules": [
            *pipeline_recording_rules(),
            worker_down_alert(params),
            sentiment_down_alert(params),
            consumer_lag_alert(params),
            deadletter_alert(params),
            sentiment_backlog_alert(params),
            oncall_failed_alert(params),
            kiosk_presses_alert(params),
        ],
    }
