"""``dost-followup``, follow-up cases: open and overdue cases by center, time to resolution,
root causes over time. The cases themselves (and their actions) are at ``/manage`` on the web."""

from __future__ import annotations

from typing import Any

from dost_contract import metric_names as series
from dost_contract.settings import Settings
from monitoring.dashboards.common import (
    CHART,
    STAT,
    TABLE,
    bar_gauge,
    chart,
    count_stat,
    links,
    stat_panel,
    table_panel,
)
from monitoring.dashboards.panels import (
    Query,
    dashboard,
    layout,
    merge,
    model_json,
    organize,
    override,
    thresholds,
)
from monitoring.names import CENTER_INFO, DASHBOARD_TAG, FOLLOWUP_DASHBOARD

OPEN = series.FOLLOWUP_CASES_OPEN
OVERDUE = series.FOLLOWUP_CASES_OVERDUE
RESOLVED = series.FOLLOWUP_CASES_RESOLVED_TOTAL
RESOLUTION_BUCKET = series.bucket(series.FOLLOWUP_CASE_RESOLUTION_SECONDS)
OVERDUE_STEPS = (("green", None), ("red", 1))
# The gauges count the shared database's cases, so every exporter replica reports the same
# numbers: take one per center (max), never their sum.
OPEN_BY_CENTER = f"max by (center_id) ({OPEN})"
OVERDUE_BY_CENTER = f"max by (center_id) ({OVERDUE})"
# Resolutions are rare (a few a day per center): quantiles over a day, not over a scrape interval.
RESOLUTION_WINDOW = "1d"


def resolution_quantile(q: float, by: str = "", window: str = RESOLUTION_WINDOW) -> str:
    grouping = f"le{', ' + by if by else ''}"
    return f"histogram_quantile({q}, sum by ({grouping}) (increase({RESOLUTION_BUCKET}[{window}])))"


def cases_table() -> Any:
    columns = [
        ("region", f"max by (center_id, region) ({CENTER_INFO})"),
        ("open", OPEN_BY_CENTER),
        ("overdue", OVERDUE_BY_CENTER),
        ("resolved", f"sum by (center_id) (increase({RESOLVED}[$__range]))"),
        ("median time to resolution", resolution_quantile(0.5, "center_id", "$__range")),
    ]
    refs = [chr(ord("A") + i) for i in range(len(columns))]
    rename = {f"Value #{ref}": title for ref, (title, _) in zip(refs, columns)}
    return table_panel(
        "Cases by center",
        "Per center: cases open now (open or in progress), how many of them are past their deadline, cases "
        "resolved in the selected range and their median time to resolution.",
        [Query(expr, instant=True, table=True) for _, expr in columns],
        sort_by="overdue", sort_desc=True,  # the most overdue first
        transformations=[merge(), organize({"Time": True, "Value #A": True}, rename, {"center_id": 0, "region": 1})],
        overrides=[override("open", decimals=0), override("resolved", decimals=0),
                   override("overdue", decimals=0, thresholds=thresholds(*OVERDUE_STEPS),
                            **{"custom.cellOptions": {"type": "color-text"}}),
                   override("median time to resolution", unit="s", decimals=0)],
    )


def followup_dashboard(settings: Settings) -> dict[str, Any]:
    rows = [
        [
            (count_stat("Open cases", "Follow-up cases open now (open or in progress), every center.",
                        [Query(f"sum({OPEN_BY_CENTER})", instant=True)]), 4, STAT),
            (count_stat("Overdue cases", "Open cases past their deadline (working hours of the center).",
                        [Query(f"sum({OVERDUE_BY_CENTER})", instant=True)], OVERDUE_STEPS), 4, STAT),
            (count_stat("Centers with overdue cases", "Centers with at least one case past its deadline.",
                        [Query(f"sum({OVERDUE_BY_CENTER} > bool 0)", instant=True)], OVERDUE_STEPS), 4, STAT),
            (count_stat("Resolved", "Cases resolved in the selected time range.",
                        [Query(f"sum(increase({RESOLVED}[$__range]))", instant=True)]), 4, STAT),
            (stat_panel("Median time to resolution", "From opening to resolution, cases resolved in the last day.",
                        [Query(resolution_quantile(0.5), instant=True)], unit="s", decimals=0), 4, STAT),
            (stat_panel("90th percentile time to resolution",
                        "Nine in ten cases resolved in the last day took at most this long.",
                        [Query(resolution_quantile(0.9), instant=True)], unit="s", decimals=0), 4, STAT),
        ],
        [
            (cases_table(), 14, TABLE),
            (bar_gauge("Overdue cases by center", "Open cases past their deadline, per center.",
                       [Query(OVERDUE_BY_CENTER, "{{center_id}}", instant=True)],
                       decimals=0, minimum=0, steps=OVERDUE_STEPS), 10, TABLE),
        ],
        [
            (chart("Open cases per center over time", "Cases open (open or in progress) per center over time.",
                   [Query(OPEN_BY_CENTER, "{{center_id}}")]), 12, CHART),
            (chart("Overdue cases per center over time", "Open cases past their deadline per center over time.",
                   [Query(OVERDUE_BY_CENTER, "{{center_id}}")], steps=OVERDUE_STEPS), 12, CHART),
        ],
        [
            (chart("Time to resolution", "Quantiles of opening-to-resolution time, cases resolved in the day before.",
                   [Query(resolution_quantile(q), f"p{round(q * 100)}") for q in (0.5, 0.9, 0.99)], unit="s"),
             12, CHART),
            (chart("Median time to resolution by center", "Per center, cases resolved in the day before.",
                   [Query(resolution_quantile(0.5, "center_id"), "{{center_id}}")], unit="s"), 12, CHART),
        ],
        [
            (chart("Root causes over time", "Cases resolved per interval, by the root cause the manager chose.",
                   [Query(f"sum by (root_cause) (increase({RESOLVED}[$__interval]))", "{{root_cause}}")],
                   bars=True), 16, CHART),
            (bar_gauge("Root causes (selected range)", "Cases resolved in the selected time range, by root cause.",
                       [Query(f"sum by (root_cause) (increase({RESOLVED}[$__range]))", "{{root_cause}}",
                              instant=True)], decimals=0, minimum=0), 8, CHART),
        ],
    ]
    return model_json(dashboard(
        FOLLOWUP_DASHBOARD.uid, FOLLOWUP_DASHBOARD.title,
        "Follow-up cases opened by unhappy ratings and negative comments: what is open and overdue per center, "
        "how long resolution takes, and which root causes managers record. Cases are handled at /manage.",
        layout(rows), tags=[DASHBOARD_TAG, "followup"], links=links(), time_from="now-7d",
    ))
