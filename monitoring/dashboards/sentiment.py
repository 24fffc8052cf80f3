"""``dost-sentiment``, comment sentiment: label mix per center, negative share, scoring
throughput and batch time."""

from __future__ import annotations

from typing import Any

from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm

from dost_contract import metric_names as series
from dost_contract.settings import Settings
from monitoring.dashboards.common import (
    CHART,
    LAG_STEPS,
    NEGATIVE_SHARE_STEPS,
    STAT,
    TABLE,
    bar_gauge,
    chart,
    count_stat,
    links,
    quantile_queries,
    stat_panel,
    table_panel,
    up_stat,
)
from monitoring.dashboards.panels import Query, dashboard, layout, model_json
from monitoring.names import DASHBOARD_TAG, SENTIMENT_DASHBOARD, SENTIMENT_JOB, SENTIMENT_LAG


def sentiment_dashboard(settings: Settings) -> dict[str, Any]:
    scored = series.COMMENT_SENTIMENT_TOTAL
    share = (
        f'sum by (center_id) (increase({scored}{{label="negative"}}[$__range])) '
        f"/ sum by (center_id) (increase({scored}[$__range]))"
    )
    rows = [
        [
            (count_stat("Comments scored", "Comments scored in the selected time range.",
                        [Query(f"sum(increase({scored}[$__range]))", instant=True)]), 5, STAT),
            (stat_panel("Negative share", "Negative ÷ all scored comments in the selected time range.",
                   [Query(f'sum(increase({scored}{{label="negative"}}[$__range])) / sum(increase({scored}[$__range]))',
                          instant=True)],
                   unit="percentunit", decimals=1, steps=NEGATIVE_SHARE_STEPS), 5, STAT),
            (stat_panel("Scoring rate", "Comments scored per second.",
                   [Query(f'sum(rate({series.SENTIMENT_EVENTS_TOTAL}{{outcome="scored"}}[$__rate_interval]))', instant=True)],
                   colors=cm.BigValueColorMode.NONE, graph=cm.BigValueGraphMode.AREA, unit="cps", decimals=2), 5, STAT),
            (count_stat("Backlog", "feedback.submitted records the sentiment worker has not read yet.",
                        [Query(SENTIMENT_LAG, instant=True)],
                        LAG_STEPS), 5, STAT),
            up_stat("Sentiment worker", SENTIMENT_JOB, "Whether Prometheus can scrape the sentiment worker."),
        ],
        [
            (table_panel("Label mix per center", "Comments per sentiment label and center, selected time range.",
                         [Query(f"sum by (center_id, label) (increase({scored}[$__range]))", instant=True, table=True)],
                         decimals=0, transformations=[dm.DataTransformerConfig(id_val="groupingToMatrix", options={
                             "columnField": "label", "rowField": "center_id", "valueField": "Value"})]), 12, TABLE),
            (bar_gauge("Negative share per center", "Negative ÷ scored comments per center, selected range.",
                       [Query(share, "{{center_id}}", instant=True)], unit="percentunit", decimals=1, minimum=0,
                       maximum=1, steps=NEGATIVE_SHARE_STEPS), 12, TABLE),
        ],
        [
            (chart("Comments scored by label", "Scored comments per second, by label.",
                   [Query(f"sum by (label) (rate({scored}[$__rate_interval]))", "{{label}}")], unit="cps"), 12, CHART),
            (chart("Sentiment agent outcomes", "feedback.submitted records seen by the sentiment agent, by outcome.",
                   [Query(f"sum by (outcome) (rate({series.SENTIMENT_EVENTS_TOTAL}[$__rate_interval]))", "{{outcome}}")],
                   unit="cps"), 12, CHART),
        ],
        [
            (chart("Batch scoring time", "Model time per batch of comments (quantiles).",
                   quantile_queries(series.bucket(series.SENTIMENT_BATCH_SECONDS)), unit="s"), 12, CHART),
            (chart("Comments per batch", "Batch sizes the sentiment agent scores (quantiles).",
                   quantile_queries(series.bucket(series.SENTIMENT_BATCH_COMMENTS))), 12, CHART),
        ],
    ]
    return model_json(dashboard(
        SENTIMENT_DASHBOARD.uid, SENTIMENT_DASHBOARD.title,
        "Sentiment of citizens' comments (az/ru/en), per center, and how the sentiment worker keeps up.",
        layout(rows), tags=[DASHBOARD_TAG, "sentiment"], links=links(), time_from="now-24h",
    ))
