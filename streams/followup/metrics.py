"""The case agent's Prometheus metrics (its own process, its own /metrics).

The gauges are read from the database (every case, whoever changed it); the resolution
histogram and the root-cause counter are observed when a ``resolved`` history entry is
relayed to ``followup.cases``, so each resolution is counted once, by the one relay.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from dost_contract import metric_names

CASES_OPEN = Gauge(metric_names.FOLLOWUP_CASES_OPEN, "Follow-up cases open or in progress, per center.",
                   ["center_id"])
CASES_OVERDUE = Gauge(metric_names.FOLLOWUP_CASES_OVERDUE,
                      "Follow-up cases open or in progress past their deadline, per center.", ["center_id"])
# From minutes (a quick call back) to the weeks a stuck case can take.
RESOLUTION_BUCKETS = (600, 3600, 4 * 3600, 8 * 3600, 86400, 2 * 86400, 3 * 86400, 5 * 86400, 7 * 86400,
                      14 * 86400, 30 * 86400)
CASE_RESOLUTION_SECONDS = Histogram(
    metric_names.FOLLOWUP_CASE_RESOLUTION_SECONDS,
    "Seconds from a case opening to its resolution (wall-clock time), per center.",
    ["center_id"], buckets=RESOLUTION_BUCKETS,
)
CASES_RESOLVED_TOTAL = Counter(metric_names.FOLLOWUP_CASES_RESOLVED_TOTAL,
                               "Follow-up cases resolved, by center and root cause.", ["center_id", "root_cause"])
CASES_OPENED_TOTAL = Counter(metric_names.FOLLOWUP_CASES_OPENED_TOTAL,
                             "Follow-up cases opened, by center and reason (low_rating, negative_comment).",
                             ["center_id", "reason"])
EVENTS_TOTAL = Counter(
    metric_names.FOLLOWUP_EVENTS_TOTAL,
    "Feedback records the case agent handled, by topic and outcome (opened, duplicate, no_case, sentiment, invalid).",
    ["topic", "outcome"],
)
CASE_EVENTS_PUBLISHED_TOTAL = Counter(metric_names.FOLLOWUP_CASE_EVENTS_PUBLISHED_TOTAL,
                                      "Case events published to followup.cases, by event.", ["event"])
