"""The names that the rules, dashboards, replay and on-call messages share, each in one place.

The exported ``dost_*`` series are in ``dost_contract.metric_names``; these are the names
``monitoring`` gives things: alerts, recording rules, rule groups, scrape jobs, runbook
anchors and dashboards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- Alerts (the contract names CenterSatisfactionBelowTarget; ../shared/CONTRACT.md) --------
SATISFACTION_ALERT = "CenterSatisfactionBelowTarget"
WORKER_DOWN_ALERT = "DostWorkerDown"
BURN_ALERT = "NetworkSatisfactionBudgetBurn"
LAG_ALERT = "DostConsumerLagGrowing"
DEADLETTER_ALERT = "DostDeadLettersAppearing"
SENTIMENT_BACKLOG_ALERT = "DostSentimentBacklog"
SENTIMENT_DOWN_ALERT = "DostSentimentWorkerDown"
NO_RATINGS_ALERT = "CenterNoRatingsWhileOpen"
ONCALL_FAILED_ALERT = "DostOncallDeliveryFailed"
KIOSK_PRESSES_ALERT = "DostKioskRepeatedPresses"
ALERT_NAMES = (
    SATISFACTION_ALERT, BURN_ALERT, NO_RATINGS_ALERT, WORKER_DOWN_ALERT, SENTIMENT_DOWN_ALERT,
    LAG_ALERT, DEADLETTER_ALERT, SENTIMENT_BACKLOG_ALERT, ONCALL_FAILED_ALERT, KIOSK_PRESSES_ALERT,
)

# The alert path's own health (alert_path_rules): the dead-man's switch and the services
# that an alert or a rating passes through.
WATCHDOG_ALERT = "Watchdog"
WEB_DOWN_ALERT = "DostWebDown"
WEB_BROKER_ALERT = "DostWebBrokerUnavailable"
RECEIVER_DOWN_ALERT = "DostOncallReceiverDown"
ALERTMANAGER_DOWN_ALERT = "DostAlertmanagerDown"
ALERT_PATH_ALERT_NAMES = (WATCHDOG_ALERT, WEB_DOWN_ALERT, WEB_BROKER_ALERT, RECEIVER_DOWN_ALERT,
                          ALERTMANAGER_DOWN_ALERT)
# Watchdog's own severity: not a page, warning or ticket; Alertmanager routes it to the
# dead-man's switch only.
WATCHDOG_SEVERITY = "heartbeat"
ALERT_NAMES = ALERT_NAMES + ALERT_PATH_ALERT_NAMES
# Follow-up cases past their deadline: a ticket for the region's center managers (by e-mail,
# alertmanager_config's "managers" route), never the on-call SMS.
FOLLOWUP_OVERDUE_ALERT = "FollowupCasesOverdue"
ALERT_NAMES = ALERT_NAMES + (FOLLOWUP_OVERDUE_ALERT,)

# --- Prometheus scrape jobs ------------------------------------------------------------
WORKER_JOB = "dost-worker"
SENTIMENT_JOB = "dost-sentiment"
SMS_INVITER_JOB = "dost-sms-inviter"
FOLLOWUP_JOB = "dost-followup"
WEB_JOB = "dost-web"
RECEIVER_JOB = "dost-oncall-receiver"
ALERTMANAGER_JOB = "dost-alertmanager"

# --- Recording rules: level:metric:operation --------------------------------------------
CENTER_RATINGS = "dost:center_ratings:max"
CENTER_SATISFIED = "dost:center_satisfied:max"
CENTER_SATISFACTION_RATIO = "dost:center_satisfaction:ratio"
CENTER_SATISFACTION_TARGET = "dost:center_satisfaction_target:max"
CENTER_WILSON_UPPER = "dost:center_satisfaction_wilson_upper:ratio"
CENTER_WILSON_LOWER = "dost:center_satisfaction_wilson_lower:ratio"
CENTER_CHANGE_SCORE = "dost:center_change_score:max"  # {center_id, detector}
CENTER_CHANGE_EVIDENCE = "dost:center_change_evidence:ratio"  # score / the detector's page level
CENTER_CHANGE_SINCE = "dost:center_change_since:max"
CENTER_CHANGE_RATINGS = "dost:center_change_ratings:max"
CENTER_CHANGE_UNSATISFIED = "dost:center_change_unsatisfied:max"
CENTER_INFO = "dost:center_info:max"  # {center_id, region, kind}
CENTER_OPEN = "dost:center_open:max"
CENTER_RATINGS_PER_OPEN_HOUR = "dost:center_ratings_per_open_hour:7d"
CENTER_SILENT_EXPECTED = "dost:center_silent_expected_ratings:max"
NETWORK_RATINGS = "dost:network_ratings:sum"  # {window}, from the center gauges
NETWORK_SATISFIED = "dost:network_satisfied:sum"
NETWORK_SATISFACTION_RATIO = "dost:network_satisfaction:ratio"
NETWORK_RATED = "dost:network_ratings:increase"  # {window in BURN_WINDOWS}, from the counter
NETWORK_BURN_RATE = "dost:network_burn_rate:ratio"  # {window in BURN_WINDOWS}
WORKER_LAG = "dost:worker_consumer_lag:sum"
SENTIMENT_LAG = "dost:sentiment_consumer_lag:sum"

# --- Rule groups -------------------------------------------------------------------------
SATISFACTION_GROUP = "dost-center-satisfaction"
NETWORK_GROUP = "dost-network-satisfaction"
PIPELINE_GROUP = "dost-pipeline-health"
ALERT_PATH_GROUP = "dost-alert-path"
FOLLOWUP_GROUP = "dost-followup"

# --- Runbook anchors in docs/operations.md (explicit <a id> tags there) -------------------
RUNBOOK_ANCHOR_WARNING = "center-satisfaction-warning"
RUNBOOK_ANCHOR_PAGE = "center-satisfaction-page"
RUNBOOK_ANCHOR_WORKER_DOWN = "dost-worker-down"
RUNBOOK_ANCHOR_BURN_PAGE = "network-budget-burn-page"
RUNBOOK_ANCHOR_BURN_TICKET = "network-budget-burn-ticket"
RUNBOOK_ANCHOR_LAG = "dost-consumer-lag-growing"
RUNBOOK_ANCHOR_DEADLETTERS = "dost-dead-letters-appearing"
RUNBOOK_ANCHOR_SENTIMENT_BACKLOG = "dost-sentiment-backlog"
RUNBOOK_ANCHOR_SENTIMENT_DOWN = "dost-sentiment-worker-down"
RUNBOOK_ANCHOR_NO_RATINGS = "center-no-ratings-while-open"
RUNBOOK_ANCHOR_ONCALL_FAILED = "dost-oncall-delivery-failed"
RUNBOOK_ANCHOR_KIOSK_PRESSES = "dost-kiosk-repeated-presses"
RUNBOOK_ANCHOR_WATCHDOG = "watchdog"
RUNBOOK_ANCHOR_WEB_DOWN = "dost-web-down"
RUNBOOK_ANCHOR_WEB_BROKER = "dost-web-broker-unavailable"
RUNBOOK_ANCHOR_RECEIVER_DOWN = "dost-oncall-receiver-down"
RUNBOOK_ANCHOR_ALERTMANAGER_DOWN = "dost-alertmanager-down"
RUNBOOK_ANCHOR_FOLLOWUP_OVERDUE = "followup-cases-overdue"


# --- Grafana dashboards: fixed uids, and titles (Grafana derives the URL slug from them) ---


def slug(title: str) -> str:
    """The URL slug Grafana derives from a dashboard title (/d/<uid>/<slug>)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str

    @property
    def path(self) -> str:
        """/d/<uid>/<slug>, what alerts and pages link to."""
        return f"/d/{self.uid}/{slug(self.title)}"


NETWORK_DASHBOARD = Dashboard("dost-network", "Network overview")
CENTER_DASHBOARD = Dashboard("dost-center", "Center drill-down")  # alerts link here with ?var-center_id=
SENTIMENT_DASHBOARD = Dashboard("dost-sentiment", "Comment sentiment")
PIPELINE_DASHBOARD = Dashboard("dost-pipeline", "Pipeline health")
FOLLOWUP_DASHBOARD = Dashboard("dost-followup", "Follow-up")  # FollowupCasesOverdue links here with ?var-center_id=
DASHBOARD_TAG = "dost"
