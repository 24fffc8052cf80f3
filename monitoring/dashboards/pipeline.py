"""``dost-pipeline``, pipeline health: throughput, consumer lag, dead letters, processing time,
web accepted/rejected, targets up, the rating state's size."""

from __future__ import annotations

from typing import Any

from dost_contract import metric_names as series
from dost_contract.settings import Settings
from monitoring.dashboards.common import (
    CHART,
    LAG_STEPS,
    STAT,
    chart,
    count_stat,
    links,
    quantile_queries,
    up_stat,
)
from monitoring.dashboards.panels import Query, dashboard, layout, model_json
from monitoring.names import (
    DASHBOARD_TAG,
    PIPELINE_DASHBOARD,
    SENTIMENT_JOB,
    SENTIMENT_LAG,
    WEB_JOB,
    WORKER_JOB,
    WORKER_LAG,
)


def pipeline_dashboard(settings: Settings) -> dict[str, Any]:
    rows = [
        [
            up_stat("Stream workers", WORKER_JOB),
            up_stat("Web", WEB_JOB),
            up_stat("Sentiment worker", SENTIMENT_JOB),
            (count_stat("Rating lag", "feedback.submitted records the stream workers have not processed.",
                        [Query(WORKER_LAG, instant=True)],
                        LAG_STEPS), 4, STAT),
            (count_stat("Sentiment lag", "feedback.submitted records the sentiment worker has not read.",
                        [Query(SENTIMENT_LAG, instant=True)],
                        LAG_STEPS), 4, STAT),
            (count_stat("Dead letters", "Events sent to feedback.deadletter in the selected time range.",
                        [Query(f"sum(increase({series.WORKER_DEADLETTERS_TOTAL}[$__range]))", instant=True)],
                        (("green", None), ("red", 1))), 4, STAT),
        ],
        [
            (chart("Events processed by outcome",
                   "Rating agent throughput: counted, duplicate, replayed, forwarded, deadletter; and the records "
                   "Faust left out that the worker read itself (then counted like any other).",
                   [Query(f"sum by (outcome) (rate({series.WORKER_EVENTS_PROCESSED_TOTAL}[$__rate_interval]))",
                          "{{outcome}}"),
                    Query(f"sum(rate({series.WORKER_RECORDS_REREAD_TOTAL}[$__rate_interval]))", "re-read")],
                   unit="cps"), 12, CHART),
            (chart("Ratings counted by channel", "Ratings counted after de-duplication, per channel.",
                   [Query(f"sum by (channel) (rate({series.FEEDBACK_RATINGS_TOTAL}[$__rate_interval]))", "{{channel}}")],
                   unit="cps"), 12, CHART),
        ],
        [
            (chart("Consumer lag", "Records not yet processed: rating workers per instance, sentiment worker.",
                   [Query(f"sum by (instance) ({series.WORKER_CONSUMER_LAG_MESSAGES})", "rating {{instance}}"),
                    Query(f"sum by (instance) ({series.SENTIMENT_CONSUMER_LAG_MESSAGES})", "sentiment {{instance}}")]),
             12, CHART),
            (chart("Dead letters by reason", "Events sent to feedback.deadletter per interval, by reason.",
                   [Query(f"sum by (reason) (increase({series.WORKER_DEADLETTERS_TOTAL}[$__interval]))", "{{reason}}")],
                   bars=True), 12, CHART),
        ],
        [
            (chart("Rating batch processing time", "Time the rating agent spends on one batch (quantiles).",
                   quantile_queries(series.bucket(series.WORKER_BATCH_PROCESSING_SECONDS)), unit="s"), 12, CHART),
            (chart("Web publish time", "From validated submission to broker acknowledgement (quantiles).",
                   quantile_queries(series.bucket(series.WEB_PUBLISH_SECONDS)), unit="s"), 12, CHART),
        ],
        [
            (chart("Web accepted", "Ratings answered 202 (broker acknowledged), per channel.",
                   [Query(f"sum by (channel) (rate({series.WEB_FEEDBACK_ACCEPTED_TOTAL}[$__rate_interval]))",
                          "{{channel}}")], unit="reqps"), 12, CHART),
            (chart("Web rejected", "Submissions refused, by reason.",
                   [Query(f"sum by (reason) (rate({series.WEB_FEEDBACK_REJECTED_TOTAL}[$__rate_interval]))",
                          "{{reason}}")], unit="reqps"), 12, CHART),
        ],
        [
            (chart("Events per batch", "Batch sizes the rating agent takes (quantiles).",
                   quantile_queries(series.bucket(series.WORKER_BATCH_EVENTS))), 12, CHART),
            (chart("Assigned partitions", "feedback.submitted partitions each stream worker owns.",
                   [Query(series.WORKER_ASSIGNED_PARTITIONS, "{{instance}}")]), 12, CHART),
        ],
        [
            (chart("Rating state entries", "What the rating workers hold: center-days (bounded by 31 days x centers) "
                   "and feedback_id marks (grow with ratings within the de-duplication horizon).",
                   [Query(f"sum by (kind) ({series.WORKER_STATE_ENTRIES})", "{{kind}}")]), 12, CHART),
            (chart("Rating state mark bytes", "Bytes of feedback_id mark blocks each rating worker holds (32 per id).",
                   [Query(series.WORKER_STATE_MARK_BYTES, "{{instance}}")], unit="bytes"), 12, CHART),
        ],
    ]
    return model_json(dashboard(
        PIPELINE_DASHBOARD.uid, PIPELINE_DASHBOARD.title,
        "Web -> Kafka -> stream and sentiment workers: throughput, lag, dead letters, processing time, targets up.",
        layout(rows), tags=[DASHBOARD_TAG, "pipeline"], links=links(), time_from="now-6h", refresh="30s",
    ))
