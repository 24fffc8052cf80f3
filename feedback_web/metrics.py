"""The web's own Prometheus metrics (served at GET /metrics)."""

from prometheus_client import Counter, Histogram

FEEDBACK_ACCEPTED_TOTAL = Counter(
    "dost_web_feedback_accepted_total", "Ratings acknowledged by the broker and answered 202.", ["channel"]
)
FEEDBACK_REJECTED_TOTAL = Counter(
    "dost_web_feedback_rejected_total",
    "Submissions refused, by reason (invalid, unauthorized, forbidden, rate_limited, "
    "token_used, token_expired, token_unknown, broker_unavailable).",
    ["reason"],
)
PUBLISH_SECONDS = Histogram(
    "dost_web_publish_seconds",
    "Time from validated submission to broker acknowledgement.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
SMS_REPLIES_TOTAL = Counter(
    "dost_web_sms_replies_total",
    "Inbound SMS webhook calls, by outcome (counted, help_sent, ignored, opted_out, closed, "
    "no_invitation, bad_signature, broker_unavailable).",
    ["outcome"],
)
