"""The sentiment worker's Prometheus metrics (its own process, its own /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from dost_contract import metric_names

COMMENT_SENTIMENT_TOTAL = Counter(
    metric_names.COMMENT_SENTIMENT_TOTAL,
    "Comments scored, by center and sentiment label.",
    ["center_id", "label"],
)
SENTIMENT_EVENTS_TOTAL = Counter(
    metric_names.SENTIMENT_EVENTS_TOTAL,
    "feedback.submitted records seen by the sentiment agent, by outcome "
    "(scored, no_comment, duplicate, invalid, failed).",
    ["outcome"],
)
SENTIMENT_BATCH_SECONDS = Histogram(
    metric_names.SENTIMENT_BATCH_SECONDS,
    "Time to score one batch of comments (model call only).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SENTIMENT_BATCH_COMMENTS = Histogram(
    metric_names.SENTIMENT_BATCH_COMMENTS,
    "Comments per scored batch.",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
SENTIMENT_CONSUMER_LAG = Gauge(
    metric_names.SENTIMENT_CONSUMER_LAG_MESSAGES,
    "Records in feedback.submitted not yet taken by the sentiment agent, per owned partition.",
    ["partition"],
)
