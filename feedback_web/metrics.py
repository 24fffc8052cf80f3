"""The web's own Prometheus metrics (served at GET /metrics)."""

from prometheus_client import Counter, Histogram

from dost_contract import metric_names

FEEDBACK_ACCEPTED_TOTAL = Counter(
    metric_names.WEB_FEEDBACK_ACCEPTED_TOTAL, "Ratings acknowledged by the broker and answered 202.", ["channel"]
)
FEEDBACK_REJECTED_TOTAL = Counter(
    metric_names.WEB_FEEDBACK_REJECTED_TOTAL,
    "Submissions refused, by reason (invalid, unauthorized, forbidden, rate_limited, too_large, "
    "token_used, token_expired, token_unknown, broker_unavailable).",
    ["reason"],
)
PUBLISH_SECONDS = Histogram(
    metric_names.WEB_PUBLISH_SECONDS,
    "Time from validated submission to broker acknowledgement.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
KIOSK_SUSPECT_RATINGS_TOTAL = Counter(
    metric_names.WEB_KIOSK_SUSPECT_RATINGS_TOTAL,
    "Kiosk ratings beyond a plausible flow (kept, answered 202, not counted), per tablet and reason "
    "(repeat_press, over_rate, over_visits).",
    ["center_id", "device_id", "reason"],
)
SMS_REPLIES_TOTAL = Counter(
    metric_names.WEB_SMS_REPLIES_TOTAL,
    "Inbound SMS webhook calls, by outcome (counted, help_sent, ignored, opted_out, closed, "
    "no_invitation, duplicate, bad_signature, broker_unavailable, case_survey).",
    ["outcome"],
)

# Exported at 0 from start-up, so the first broker failure is an increase (DostWebBrokerUnavailable).
FEEDBACK_REJECTED_TOTAL.labels("broker_unavailable")
SMS_REPLIES_TOTAL.labels("broker_unavailable")
