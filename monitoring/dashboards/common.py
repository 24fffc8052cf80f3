"""What the four dashboards share: thresholds, the stat/chart/table shapes, links. Pure."""

from __future__ import annotations

from typing import Any

from monitoring.alerting.network_rules import BURN_RATE_RULES
from monitoring.dashboards.panels import (
    Query,
    dashboard_link,
    field_override,
    panel,
    stat_options,
    thresholds,
    timeseries_options,
)
from monitoring.names import DASHBOARD_TAG

# Burn-rate thresholds of the multi-window alerts, shown as colored lines (ticket 1, 3; page 6, 14.4).
BURN_RATE_THRESHOLDS = tuple(sorted({threshold for *_, threshold in BURN_RATE_RULES}))

CENTER = 'center_id="$center_id"'  # the center drill-down's variable
QUANTILES = (0.5, 0.95, 0.99)

LAG_STEPS = thresholds(("green", None), ("orange", 100), ("red", 1000))  # records behind
NEGATIVE_SHARE_STEPS = thresholds(("green", None), ("orange", 0.1), ("red", 0.25))

STAT = 5  # panel heights
CHART = 8
TABLE = 10


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


def up_stat(title: str, job: str, description: str | None = None) -> tuple[dict[str, Any], int, int]:
    """A 4-wide stat: whether Prometheus can scrape ``job``, per instance."""
    return (panel("stat", title, description or f"Whether Prometheus can scrape job {job}, per instance.",
                  [Query(f'up{{job="{job}"}}', "{{instance}}", instant=True)],
                  steps=up_steps(), mappings=up_mappings(), options=stat_options()), 4, STAT)
