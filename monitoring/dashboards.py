"""The four DOST Grafana dashboards, as code (plain dicts from ``monitoring.grafana_panels``).

- ``dost-network``   network overview: every center's 24h and 7d satisfaction against its
  target (colored), counts, Wilson bounds, open alerts, network totals and burn rates;
- ``dost-center``    center drill-down (``$center_id``): trend per window, per service group,
  sentiment mix, recent negative comments; the alerts' ``dashboard_url`` points here;
- ``dost-sentiment`` comment sentiment: label mix per center, negative share, scoring
  throughput and batch time;
- ``dost-pipeline``  pipeline health: throughput, consumer lag, dead letters, processing time,
  web accepted/rejected, targets up.

Pure: settings in, dashboard dicts out. The committed JSON under
``monitoring/grafana/dashboards/`` is this module's output; ``monitoring.grafana_files``
writes it (``python -m monitoring.grafana_files``) and checks it for drift (``--check``).
Queries read the recording rules of ``monitoring.rules`` (``dost:*``) where they exist, so a
dashboard and an alert never disagree about a number.
"""

from __future__ import annotations

from typing import Any

from dost_feedback.settings import Settings
from monitoring.grafana_panels import (
    Query,
    bargauge_options,
    dashboard,
    dashboard_link,
    field_override,
    layout,
    panel,
    query_variable,
    stat_options,
    thresholds,
    timeseries_options,
)
from monitoring.prometheus_config import WEB_JOB
from monitoring.rules import (
    BURN_RATE_RULES,
    CENTER_INFO,
    CENTER_OPEN,
    CENTER_RATINGS,
    CENTER_SATISFACTION_RATIO,
    CENTER_SATISFACTION_TARGET,
    CENTER_WILSON_LOWER,
    CENTER_WILSON_UPPER,
    NETWORK_BURN_RATE,
    NETWORK_RATINGS,
    NETWORK_SATISFACTION_RATIO,
    SENTIMENT_JOB,
    SENTIMENT_LAG,
    WORKER_JOB,
    WORKER_LAG,
)

NETWORK_UID = "dost-network"
CENTER_UID = "dost-center"
SENTIMENT_UID = "dost-sentiment"
PIPELINE_UID = "dost-pipeline"
# Grafana derives the URL slug from the title ("Center drill-down" -> center-drill-down):
# the alerts link to /d/<uid>/<slug> (monitoring.rules.DASHBOARD_PATH), so titles are fixed too.
NETWORK_TITLE = "Network overview"
CENTER_TITLE = "Center drill-down"
SENTIMENT_TITLE = "Comment sentiment"
PIPELINE_TITLE = "Pipeline health"
DASHBOARD_TAG = "dost"

# Burn-rate thresholds of the multi-window alerts, shown as colored lines (ticket 1, 3; page 6, 14.4).
BURN_RATE_THRESHOLDS = tuple(sorted({threshold for *_, threshold in BURN_RATE_RULES}))

CENTER = 'center_id="$center_id"'
QUANTILES = (0.5, 0.95, 0.99)

LAG_STEPS = thresholds(("green", None), ("orange", 100), ("red", 1000))  # records behind
NEGATIVE_SHARE_STEPS = thresholds(("green", None), ("orange", 0.1), ("red", 0.25))

STAT = 5  # panel heights
CHART = 8
TABLE = 10


# --- shared pieces ------------------------------------------------------------------------


def satisfaction_steps(target: float) -> dict[str, Any]:
    """Red below, green at or above the target; orange while the unsatisfied share is at
    most twice the error budget (0.97 for a 98.5% target): slipping, not yet collapsing."""
    budget = 1 - target
    return thresholds(("red", None), ("orange", round(target - budget, 6)), ("green", target))


def burn_rate_steps() -> dict[str, Any]:
    colors = ("yellow", "orange", "red", "dark-red")
    return thresholds(("green", None), *zip(colors, BURN_RATE_THRESHOLDS))


def up_mappings() -> list[dict[str, Any]]:
    return [
        {
            "type": "value",
            "options": {
                "0": {"text": "DOWN", "color": "red", "index": 0},
                "1": {"text": "UP", "color": "green", "index": 1},
            },
        }
    ]


def up_steps() -> dict[str, Any]:
    return thresholds(("red", None), ("green", 1))


def quantile_queries(bucket_metric: str, by: str = "") -> list[Query]:
    grouping = f"le{', ' + by if by else ''}"
    return [
        Query(
            f"histogram_quantile({q}, sum by ({grouping}) (rate({bucket_metric}[$__rate_interval])))",
            f"p{round(q * 100)}" + (f" {{{{{by}}}}}" if by else ""),
        )
        for q in QUANTILES
    ]


def ratio_stat(title: str, description: str, expr: str, target: float, legend: str = "") -> dict[str, Any]:
    return panel(
        "stat", title, description, [Query(expr, legend, instant=True)],
        unit="percentunit", decimals=2, minimum=0, maximum=1,
        steps=satisfaction_steps(target), options=stat_options(),
    )


def count_stat(title: str, description: str, queries: list[Query], steps: dict[str, Any] | None = None) -> dict[str, Any]:
    return panel(
        "stat", title, description, queries, decimals=0,
        steps=steps or thresholds(("blue", None)), options=stat_options(color="value"),
    )


def chart(
    title: str, description: str, queries: list[Query], *, unit: str = "short", bars: bool = False,
    steps: dict[str, Any] | None = None, minimum: float | None = 0, maximum: float | None = None,
) -> dict[str, Any]:
    custom: dict[str, Any] = {"drawStyle": "bars" if bars else "line", "fillOpacity": 60 if bars else 10,
                              "lineWidth": 1, "spanNulls": False, "showPoints": "never"}
    if steps is not None:
        custom["thresholdsStyle"] = {"mode": "line"}
    return panel(
        "timeseries", title, description, queries, unit=unit, minimum=minimum, maximum=maximum,
        steps=steps, color_mode="palette-classic" if steps is not None else None,
        custom=custom, options=timeseries_options(),
    )


def alerts_table(title: str, description: str, expr: str) -> dict[str, Any]:
    return panel(
        "table", title, description, [Query(expr, instant=True, table=True)],
        options={"showHeader": True, "cellHeight": "sm", "footer": {"show": False}},
        transformations=[
            {"id": "organize", "options": {"excludeByName": {"Time": True, "Value": True, "__name__": True}}}
        ],
        overrides=[
            field_override("alertstate", **{"custom.cellOptions": {"type": "color-text"}, "mappings": [
                {"type": "value", "options": {"firing": {"color": "red", "index": 0},
                                              "pending": {"color": "orange", "index": 1}}}
            ]}),
        ],
    )


def links() -> list[dict[str, Any]]:
    return [dashboard_link("DOST dashboards", DASHBOARD_TAG)]


# --- network overview ---------------------------------------------------------------------


def center_table_columns() -> list[tuple[str, str, str]]:
    """(column title, expr, kind) for the network table; kind: ratio, bound, count, info."""
    columns = [("region", f"max by (center_id, region) ({CENTER_INFO})", "info")]
    for window in ("24h", "7d"):
        sel = f'{{window="{window}"}}'
        columns += [
            (f"{window} satisfaction", f"max by (center_id) ({CENTER_SATISFACTION_RATIO}{sel})", "ratio"),
            (f"{window} ratings", f"max by (center_id) ({CENTER_RATINGS}{sel})", "count"),
            (f"{window} Wilson lower", f"max by (center_id) ({CENTER_WILSON_LOWER}{sel})", "bound"),
            (f"{window} Wilson upper", f"max by (center_id) ({CENTER_WILSON_UPPER}{sel})", "bound"),
        ]
    columns.append(("target", CENTER_SATISFACTION_TARGET, "bound"))
    return columns


def centers_table(target: float) -> dict[str, Any]:
    columns = center_table_columns()
    refs = [chr(ord("A") + i) for i in range(len(columns))]
    rename = {f"Value #{ref}": title for ref, (title, _, _) in zip(refs, columns)}
    exclude = {"Time": True, **{f"Value #{ref}": True for ref, (_, _, kind) in zip(refs, columns) if kind == "info"}}
    overrides = []
    for title, _, kind in columns:
        if kind == "ratio":
            overrides.append(field_override(
                title, unit="percentunit", decimals=2, thresholds=satisfaction_steps(target),
                color={"mode": "thresholds"}, **{"custom.cellOptions": {"type": "color-background"}},
            ))
        elif kind == "bound":
            overrides.append(field_override(title, unit="percentunit", decimals=2))
        elif kind == "count":
            overrides.append(field_override(title, decimals=0))
    return panel(
        "table",
        "Centers against target",
        "Every center's satisfied share (rating 4-5) in the last 24 hours and 7 days, colored against "
        "its target, with the number of ratings and the 95% Wilson score interval. A center pages "
        "only when even the upper bound is below target (and it has enough ratings).",
        [Query(expr, instant=True, table=True) for _, expr, _ in columns],
        options={"showHeader": True, "cellHeight": "sm", "footer": {"show": False},
                 "sortBy": [{"displayName": "24h satisfaction", "desc": False}]},
        transformations=[
            {"id": "merge", "options": {}},
            {"id": "organize", "options": {"excludeByName": exclude, "renameByName": rename,
                                           "indexByName": {"center_id": 0, "region": 1}}},
        ],
        overrides=overrides,
    )


def network_overview(settings: Settings) -> dict[str, Any]:
    target = settings.default_target
    below = (
        f'sum({CENTER_SATISFACTION_RATIO}{{window="24h"}} '
        f"< bool on (center_id) group_left {CENTER_SATISFACTION_TARGET})"
    )
    rows = [
        [
            (ratio_stat("Network satisfaction (24h)", "Satisfied ÷ all ratings across every center, last 24 hours.",
                        f'{NETWORK_SATISFACTION_RATIO}{{window="24h"}}', target), 4, STAT),
            (ratio_stat("Network satisfaction (7d)", "Satisfied ÷ all ratings across every center, last 7 days.",
                        f'{NETWORK_SATISFACTION_RATIO}{{window="7d"}}', target), 4, STAT),
            (count_stat("Ratings (24h)", "Ratings counted across the network in the last 24 hours.",
                        [Query(f'{NETWORK_RATINGS}{{window="24h"}}', instant=True)]), 4, STAT),
            (count_stat("Centers below target (24h)",
                        "Centers whose 24h ratio is under their own target. Alerts also need a minimum "
                        "number of ratings, and a page needs the Wilson upper bound below target.",
                        [Query(below, instant=True)], thresholds(("green", None), ("red", 1))), 4, STAT),
            (count_stat("Firing alerts", "Alerts firing now, by severity (details in the table below).",
                        [Query('count by (severity) (ALERTS{alertstate="firing"})', "{{severity}}", instant=True)],
                        thresholds(("red", None))), 4, STAT),
            (panel("stat", "Error-budget burn (1h)",
                   "How fast the network spends its error budget (1 − target): 1 spends it exactly over "
                   "the SLO period; 14.4 over 1h (with 5m) pages.",
                   [Query(f'{NETWORK_BURN_RATE}{{window="1h"}}', instant=True)],
                   decimals=2, steps=burn_rate_steps(), options=stat_options()), 4, STAT),
        ],
        [(centers_table(target), 24, TABLE + 2)],
        [
            (panel("bargauge", "24h satisfaction by center", "Each center's 24h ratio, colored against target.",
                   [Query(f'{CENTER_SATISFACTION_RATIO}{{window="24h"}}', "{{center_id}}", instant=True)],
                   unit="percentunit", decimals=2, minimum=0.9, maximum=1, steps=satisfaction_steps(target),
                   options=bargauge_options()), 12, TABLE),
            (panel("bargauge", "7d satisfaction by center", "Each center's 7-day ratio, colored against target.",
                   [Query(f'{CENTER_SATISFACTION_RATIO}{{window="7d"}}', "{{center_id}}", instant=True)],
                   unit="percentunit", decimals=2, minimum=0.9, maximum=1, steps=satisfaction_steps(target),
                   options=bargauge_options()), 12, TABLE),
        ],
        [(alerts_table("Open alerts", "Every pending or firing alert (Prometheus ALERTS), with its labels.",
                       "ALERTS"), 24, CHART)],
        [
            (chart("Network satisfaction per window", "Network ratio for each rolling window.",
                   [Query(NETWORK_SATISFACTION_RATIO, "{{window}}")], unit="percentunit", minimum=None, maximum=1,
                   steps=satisfaction_steps(target)), 12, CHART),
            (chart("Error-budget burn rate", "Unsatisfied share ÷ error budget, per alert window. "
                   "Lines: 1 and 3 (ticket), 6 and 14.4 (page).",
                   [Query(NETWORK_BURN_RATE, "{{window}}")], steps=burn_rate_steps()), 12, CHART),
        ],
        [(chart("24h satisfaction per center", "Each center's 24h ratio over time.",
                [Query(f'{CENTER_SATISFACTION_RATIO}{{window="24h"}}', "{{center_id}}")],
                unit="percentunit", minimum=None, maximum=1, steps=satisfaction_steps(target)), 24, CHART)],
    ]
    return dashboard(
        NETWORK_UID, NETWORK_TITLE,
        "Citizen satisfaction across all DOST centers against each center's target (98.5% unless configured).",
        layout(rows), tags=[DASHBOARD_TAG, "satisfaction"], links=links(), time_from="now-7d",
    )


# --- center drill-down --------------------------------------------------------------------


def center_drill_down(settings: Settings) -> dict[str, Any]:
    target = settings.default_target
    sentiment = f"dost_comment_sentiment_total{{{CENTER}}}"
    negative = f'dost_comment_sentiment_total{{{CENTER},label="negative"}}'
    group_sel = f'{{{CENTER},window="24h"}}'
    rows = [
        [
            (ratio_stat("24h satisfaction", "This center's satisfied share in the last 24 hours.",
                        f'{CENTER_SATISFACTION_RATIO}{{{CENTER},window="24h"}}', target), 4, STAT),
            (ratio_stat("7d satisfaction", "This center's satisfied share in the last 7 days.",
                        f'{CENTER_SATISFACTION_RATIO}{{{CENTER},window="7d"}}', target), 4, STAT),
            (panel("stat", "Target", "This center's satisfaction target.",
                   [Query(f"{CENTER_SATISFACTION_TARGET}{{{CENTER}}}", instant=True)],
                   unit="percentunit", decimals=2, options=stat_options(color="none")), 4, STAT),
            (count_stat("Ratings (24h / 7d)", "Ratings counted in each window: small samples never page.",
                        [Query(f'{CENTER_RATINGS}{{{CENTER},window=~"24h|7d"}}', "{{window}}", instant=True)]),
             4, STAT),
            (panel("stat", "24h Wilson 95% interval", "Where the true 24h ratio lies with 95% confidence.",
                   [Query(f'{CENTER_WILSON_LOWER}{{{CENTER},window="24h"}}', "lower", instant=True),
                    Query(f'{CENTER_WILSON_UPPER}{{{CENTER},window="24h"}}', "upper", instant=True)],
                   unit="percentunit", decimals=2, steps=satisfaction_steps(target), options=stat_options()), 4, STAT),
            (panel("stat", "Open now", "Whether the center is within its opening hours (Asia/Baku).",
                   [Query(f"{CENTER_OPEN}{{{CENTER}}}", instant=True)],
                   mappings=[{"type": "value", "options": {"0": {"text": "closed", "color": "text", "index": 0},
                                                           "1": {"text": "open", "color": "green", "index": 1}}}],
                   options=stat_options(color="value")), 4, STAT),
        ],
        [
            (chart("Satisfaction per window", "The rolling ratio for each window, and the target.",
                   [Query(f"{CENTER_SATISFACTION_RATIO}{{{CENTER}}}", "{{window}}"),
                    Query(f"{CENTER_SATISFACTION_TARGET}{{{CENTER}}}", "target")],
                   unit="percentunit", minimum=None, maximum=1), 12, CHART + 1),
            (chart("Wilson 95% bounds", "Lower and upper bound per window: a page needs the upper one below target.",
                   [Query(f"{CENTER_WILSON_LOWER}{{{CENTER}}}", "lower {{window}}"),
                    Query(f"{CENTER_WILSON_UPPER}{{{CENTER}}}", "upper {{window}}")],
                   unit="percentunit", minimum=None, maximum=1), 12, CHART + 1),
        ],
        [
            (chart("Ratings per window", "Number of ratings in each rolling window.",
                   [Query(f"{CENTER_RATINGS}{{{CENTER}}}", "{{window}}")]), 12, CHART),
            (chart("Ratings by score", "Ratings counted per interval, by score (1-3 unsatisfied, 4-5 satisfied).",
                   [Query(f"sum by (rating) (increase(dost_feedback_ratings_total{{{CENTER}}}[$__interval]))",
                          "{{rating}}")], bars=True), 12, CHART),
        ],
        [
            (panel("table", "Per service group (24h)", "Satisfaction and counts per service group, last 24 hours.",
                   [Query(f"max by (service_group) (dost_service_group_satisfaction_ratio{group_sel})",
                          instant=True, table=True),
                    Query(f"max by (service_group) (dost_service_group_ratings{group_sel})", instant=True, table=True),
                    Query(f"max by (service_group) (dost_service_group_satisfied{group_sel})",
                          instant=True, table=True)],
                   options={"showHeader": True, "cellHeight": "sm", "footer": {"show": False}},
                   transformations=[
                       {"id": "merge", "options": {}},
                       {"id": "organize", "options": {"excludeByName": {"Time": True}, "renameByName": {
                           "Value #A": "satisfaction", "Value #B": "ratings", "Value #C": "satisfied"}}},
                   ],
                   overrides=[field_override("satisfaction", unit="percentunit", decimals=2,
                                             thresholds=satisfaction_steps(target), color={"mode": "thresholds"},
                                             **{"custom.cellOptions": {"type": "color-background"}})]), 12, TABLE),
            (chart("Service group satisfaction (7d)", "Per service group, 7-day ratio over time.",
                   [Query(f'max by (service_group) (dost_service_group_satisfaction_ratio{{{CENTER},window="7d"}})',
                          "{{service_group}}")], unit="percentunit", minimum=None, maximum=1), 12, TABLE),
        ],
        [
            (panel("piechart", "Sentiment mix", "Comments scored in the selected time range, by sentiment label.",
                   [Query(f"sum by (label) (increase({sentiment}[$__range]))", "{{label}}", instant=True)],
                   options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                            "pieType": "donut", "legend": {"displayMode": "table", "placement": "right",
                                                            "showLegend": True, "values": ["value", "percent"]}},
                   overrides=[field_override("negative", color={"mode": "fixed", "fixedColor": "red"}),
                              field_override("neutral", color={"mode": "fixed", "fixedColor": "yellow"}),
                              field_override("positive", color={"mode": "fixed", "fixedColor": "green"})]), 8, CHART),
            (count_stat("Negative comments (1h / 24h)", "Comments scored negative recently.",
                        [Query(f"sum(increase({negative}[1h]))", "last 1h", instant=True),
                         Query(f"sum(increase({negative}[24h]))", "last 24h", instant=True)],
                        thresholds(("green", None), ("orange", 1))), 6, CHART),
            (chart("Negative comments", "Comments scored negative per interval.",
                   [Query(f"sum(increase({negative}[$__interval]))", "negative")], bars=True), 10, CHART),
        ],
        [(alerts_table("Alerts for this center", "Pending or firing alerts that carry this center_id.",
                       f"ALERTS{{{CENTER}}}"), 24, CHART)],
    ]
    return dashboard(
        CENTER_UID, CENTER_TITLE,
        "One DOST center: satisfaction per window against target, Wilson bounds, service groups and comment "
        "sentiment. Alerts link here with ?var-center_id=<center>.",
        layout(rows), tags=[DASHBOARD_TAG, "satisfaction"], links=links(), time_from="now-24h",
        variables=[query_variable("center_id", "Center", f"label_values({CENTER_INFO}, center_id)",
                                  "Every center in the registry (the dost_center_info gauge).")],
    )


# --- sentiment ----------------------------------------------------------------------------


def sentiment_dashboard(settings: Settings) -> dict[str, Any]:
    scored = "dost_comment_sentiment_total"
    share = (
        f'sum by (center_id) (increase({scored}{{label="negative"}}[$__range])) '
        f"/ sum by (center_id) (increase({scored}[$__range]))"
    )
    rows = [
        [
            (count_stat("Comments scored", "Comments scored in the selected time range.",
                        [Query(f"sum(increase({scored}[$__range]))", instant=True)]), 5, STAT),
            (panel("stat", "Negative share", "Negative ÷ all scored comments in the selected time range.",
                   [Query(f'sum(increase({scored}{{label="negative"}}[$__range])) / sum(increase({scored}[$__range]))',
                          instant=True)],
                   unit="percentunit", decimals=1, steps=NEGATIVE_SHARE_STEPS,
                   options=stat_options()), 5, STAT),
            (panel("stat", "Scoring rate", "Comments scored per second.",
                   [Query('sum(rate(dost_sentiment_events_total{outcome="scored"}[$__rate_interval]))', instant=True)],
                   unit="cps", decimals=2, options=stat_options(color="none", graph="area")), 5, STAT),
            (count_stat("Backlog", "feedback.submitted records the sentiment worker has not read yet.",
                        [Query(SENTIMENT_LAG, instant=True)],
                        LAG_STEPS), 5, STAT),
            up_stat("Sentiment worker", SENTIMENT_JOB, "Whether Prometheus can scrape the sentiment worker."),
        ],
        [
            (panel("table", "Label mix per center", "Comments per sentiment label and center, selected time range.",
                   [Query(f"sum by (center_id, label) (increase({scored}[$__range]))", instant=True, table=True)],
                   decimals=0, options={"showHeader": True, "cellHeight": "sm", "footer": {"show": False}},
                   transformations=[{"id": "groupingToMatrix", "options": {
                       "columnField": "label", "rowField": "center_id", "valueField": "Value"}}]), 12, TABLE),
            (panel("bargauge", "Negative share per center", "Negative ÷ scored comments per center, selected range.",
                   [Query(share, "{{center_id}}", instant=True)], unit="percentunit", decimals=1, minimum=0, maximum=1,
                   steps=NEGATIVE_SHARE_STEPS,
                   options=bargauge_options()), 12, TABLE),
        ],
        [
            (chart("Comments scored by label", "Scored comments per second, by label.",
                   [Query(f"sum by (label) (rate({scored}[$__rate_interval]))", "{{label}}")], unit="cps"), 12, CHART),
            (chart("Sentiment agent outcomes", "feedback.submitted records seen by the sentiment agent, by outcome.",
                   [Query("sum by (outcome) (rate(dost_sentiment_events_total[$__rate_interval]))", "{{outcome}}")],
                   unit="cps"), 12, CHART),
        ],
        [
            (chart("Batch scoring time", "Model time per batch of comments (quantiles).",
                   quantile_queries("dost_sentiment_batch_seconds_bucket"), unit="s"), 12, CHART),
            (chart("Comments per batch", "Batch sizes the sentiment agent scores (quantiles).",
                   quantile_queries("dost_sentiment_batch_comments_bucket")), 12, CHART),
        ],
    ]
    return dashboard(
        SENTIMENT_UID, SENTIMENT_TITLE,
        "Sentiment of citizens' comments (az/ru/en), per center, and how the sentiment worker keeps up.",
        layout(rows), tags=[DASHBOARD_TAG, "sentiment"], links=links(), time_from="now-24h",
    )


# --- pipeline health ----------------------------------------------------------------------


def up_stat(title: str, job: str, description: str | None = None) -> tuple[dict[str, Any], int, int]:
    """A 4-wide stat: whether Prometheus can scrape ``job``, per instance."""
    return (panel("stat", title, description or f"Whether Prometheus can scrape job {job}, per instance.",
                  [Query(f'up{{job="{job}"}}', "{{instance}}", instant=True)],
                  steps=up_steps(), mappings=up_mappings(), options=stat_options()), 4, STAT)


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
                        [Query("sum(increase(dost_worker_deadletters_total[$__range]))", instant=True)],
                        thresholds(("green", None), ("red", 1))), 4, STAT),
        ],
        [
            (chart("Events processed by outcome", "Rating agent throughput: counted, duplicate, deadletter.",
                   [Query("sum by (outcome) (rate(dost_worker_events_processed_total[$__rate_interval]))",
                          "{{outcome}}")], unit="cps"), 12, CHART),
            (chart("Ratings counted by channel", "Ratings counted after de-duplication, per channel.",
                   [Query("sum by (channel) (rate(dost_feedback_ratings_total[$__rate_interval]))", "{{channel}}")],
                   unit="cps"), 12, CHART),
        ],
        [
            (chart("Consumer lag", "Records not yet processed: rating workers per instance, sentiment worker.",
                   [Query("sum by (instance) (dost_worker_consumer_lag_messages)", "rating {{instance}}"),
                    Query("sum by (instance) (dost_sentiment_consumer_lag_messages)", "sentiment {{instance}}")]),
             12, CHART),
            (chart("Dead letters by reason", "Events sent to feedback.deadletter per interval, by reason.",
                   [Query("sum by (reason) (increase(dost_worker_deadletters_total[$__interval]))", "{{reason}}")],
                   bars=True), 12, CHART),
        ],
        [
            (chart("Rating batch processing time", "Time the rating agent spends on one batch (quantiles).",
                   quantile_queries("dost_worker_batch_processing_seconds_bucket"), unit="s"), 12, CHART),
            (chart("Web publish time", "From validated submission to broker acknowledgement (quantiles).",
                   quantile_queries("dost_web_publish_seconds_bucket"), unit="s"), 12, CHART),
        ],
        [
            (chart("Web accepted", "Ratings answered 202 (broker acknowledged), per channel.",
                   [Query("sum by (channel) (rate(dost_web_feedback_accepted_total[$__rate_interval]))",
                          "{{channel}}")], unit="reqps"), 12, CHART),
            (chart("Web rejected", "Submissions refused, by reason.",
                   [Query("sum by (reason) (rate(dost_web_feedback_rejected_total[$__rate_interval]))",
                          "{{reason}}")], unit="reqps"), 12, CHART),
        ],
        [
            (chart("Events per batch", "Batch sizes the rating agent takes (quantiles).",
                   quantile_queries("dost_worker_batch_events_bucket")), 12, CHART),
            (chart("Assigned partitions", "feedback.submitted partitions each stream worker owns.",
                   [Query("dost_worker_assigned_partitions", "{{instance}}")]), 12, CHART),
        ],
    ]
    return dashboard(
        PIPELINE_UID, PIPELINE_TITLE,
        "Web -> Kafka -> stream and sentiment workers: throughput, lag, dead letters, processing time, targets up.",
        layout(rows), tags=[DASHBOARD_TAG, "pipeline"], links=links(), time_from="now-6h", refresh="30s",
    )


# --- all ----------------------------------------------------------------------------------

# File name (under monitoring/grafana/dashboards/) -> builder.
DASHBOARD_FILES = {
    "network-overview.json": network_overview,
    "center-drill-down.json": center_drill_down,
    "sentiment.json": sentiment_dashboard,
    "pipeline-health.json": pipeline_dashboard,
}


def build_dashboards(settings: Settings) -> dict[str, dict[str, Any]]:
    """File name -> dashboard model, for every DOST dashboard."""
    return {name: build(settings) for name, build in DASHBOARD_FILES.items()}

