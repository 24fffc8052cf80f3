"""What the dashboards share: thresholds, and the stat/chart/table/bar-gauge shapes on the SDK's
typed panel builders (``grafana_foundation_sdk.builders.{stat,timeseries,table,bargauge}``). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grafana_foundation_sdk.builders import bargauge, stat, table, timeseries
from grafana_foundation_sdk.builders import common as gc
from grafana_foundation_sdk.builders import dashboard as gd
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm

from monitoring.alerting.network_rules import BURN_RATE_RULES
from monitoring.dashboards.panels import (
    PanelBuilder,
    Query,
    color,
    dashboard_link,
    organize,
    override,
    thresholds,
    value_map,
    with_queries,
)
from monitoring.names import DASHBOARD_TAG

# Burn-rate thresholds of the multi-window alerts, shown as colored lines (ticket 1, 3; page 6, 14.4).
BURN_RATE_THRESHOLDS = tuple(sorted({threshold for *_, threshold in BURN_RATE_RULES}))

CENTER = 'center_id="$center_id"'  # the center drill-down's variable
QUANTILES = (0.5, 0.95, 0.99)

LAG_STEPS = (("green", None), ("orange", 100), ("red", 1000))  # records behind
NEGATIVE_SHARE_STEPS = (("green", None), ("orange", 0.1), ("red", 0.25))

STAT = 5  # panel heights
CHART = 8
TABLE = 10

Steps = Sequence[tuple[str, float | None]]


def satisfaction_steps(target: float) -> Steps:
    """Red below, green at or above the target; orange while the unsatisfied share is at
    most twice the error budget (0.97 for a 98.5% target): slipping, not yet collapsing."""
    budget = 1 - target
    return (("red", None), ("orange", round(target - budget, 6)), ("green", target))


def burn_rate_steps() -> Steps:
    colors = ("yellow", "orange", "red", "dark-red")
    return (("green", None), *zip(colors, BURN_RATE_THRESHOLDS))


def up_steps() -> Steps:
    return (("red", None), ("green", 1))


def quantile_queries(bucket_metric: str, by: str = "") -> list[Query]:
    grouping = f"le{', ' + by if by else ''}"
    return [
        Query(
            f"histogram_quantile({q}, sum by ({grouping}) (rate({bucket_metric}[$__rate_interval])))",
            f"p{round(q * 100)}" + (f" {{{{{by}}}}}" if by else ""),
        )
        for q in QUANTILES
    ]


def fields(builder: Any, *, unit: str | None = None, decimals: int | None = None, minimum: float | None = None,
           maximum: float | None = None, steps: Steps | None = None) -> Any:
    """The standard field options every panel kind has; ``steps`` color by thresholds."""
    if unit is not None:
        builder.unit(unit)
    if decimals is not None:
        builder.decimals(decimals)
    if minimum is not None:
        builder.min(minimum)
    if maximum is not None:
        builder.max(maximum)
    if steps is not None:
        builder.thresholds(thresholds(*steps)).color_scheme(color(dm.FieldColorModeId.THRESHOLDS))
    return builder


def last_value() -> gc.ReduceDataOptions:
    return gc.ReduceDataOptions().calcs(["lastNotNull"]).fields("").values(False)


def stat_panel(title: str, description: str, queries: Sequence[Query], *,
               colors: cm.BigValueColorMode = cm.BigValueColorMode.BACKGROUND,
               graph: cm.BigValueGraphMode = cm.BigValueGraphMode.NONE, mappings: Sequence[dm.ValueMap] = (),
               **field_options: Any) -> stat.Panel:
    built = (stat.Panel().title(title).description(description).reduce_options(last_value()).color_mode(colors)
             .graph_mode(graph).text_mode(cm.BigValueTextMode.AUTO).justify_mode(cm.BigValueJustifyMode.AUTO)
             .orientation(cm.VizOrientation.AUTO))
    if mappings:
        built.mappings(list(mappings))
    return fields(with_queries(built, queries), **field_options)


def ratio_stat(title: str, description: str, expr: str, target: float, legend: str = "") -> stat.Panel:
    return stat_panel(title, description, [Query(expr, legend, instant=True)], unit="percentunit", decimals=2,
                      minimum=0, maximum=1, steps=satisfaction_steps(target))


def count_stat(title: str, description: str, queries: list[Query], steps: Steps | None = None) -> stat.Panel:
    return stat_panel(title, description, queries, colors=cm.BigValueColorMode.VALUE, decimals=0,
                      steps=steps or (("blue", None),))


def chart(
    title: str, description: str, queries: list[Query], *, unit: str = "short", bars: bool = False,
    steps: Steps | None = None, minimum: float | None = 0, maximum: float | None = None,
) -> timeseries.Panel:
    built = (timeseries.Panel().title(title).description(description)
             .draw_style(cm.GraphDrawStyle.BARS if bars else cm.GraphDrawStyle.LINE).fill_opacity(60 if bars else 10)
             .line_width(1).span_nulls(False).show_points(cm.VisibilityMode.NEVER)
             .legend(gc.VizLegendOptions().display_mode(cm.LegendDisplayMode.TABLE)
                     .placement(cm.LegendPlacement.BOTTOM).show_legend(True).calcs(["lastNotNull"]))
             .tooltip(gc.VizTooltipOptions().mode(cm.TooltipDisplayMode.MULTI).sort(cm.SortOrder.DESCENDING)))
    fields(with_queries(built, queries), unit=unit, minimum=minimum, maximum=maximum)
    if steps is not None:  # threshold lines over series in the classic palette
        built.thresholds(thresholds(*steps)).color_scheme(color(dm.FieldColorModeId.PALETTE_CLASSIC))
        built.thresholds_style(gc.GraphThresholdsStyleConfig().mode(cm.GraphThresholdsStyleMode.LINE))
    return built


def table_panel(title: str, description: str, queries: Sequence[Query], *,
                transformations: Sequence[dm.DataTransformerConfig] = (),
                overrides: Sequence[tuple[str, list[dm.DynamicConfigValue]]] = (),
                sort_by: str | None = None, sort_desc: bool = False, decimals: int | None = None) -> table.Panel:
    built = (table.Panel().title(title).description(description).show_header(True)
             .cell_height(cm.TableCellHeight.SM).footer(gc.TableFooterOptions().show(False)))
    if sort_by:
        built.sort_by([gc.TableSortByFieldState().display_name(sort_by).desc(sort_desc)])
    for transformation in transformations:
        built.with_transformation(transformation)
    for name, properties in overrides:
        built.override_by_name(name, properties)
    return fields(with_queries(built, queries), decimals=decimals)


def colored_ratio(title: str, target: float) -> tuple[str, list[dm.DynamicConfigValue]]:
    """A table column of ratios, its cells colored against ``target``."""
    return override(title, unit="percentunit", decimals=2, thresholds=thresholds(*satisfaction_steps(target)),
                    color=color(dm.FieldColorModeId.THRESHOLDS),
                    **{"custom.cellOptions": {"type": "color-background"}})


def bar_gauge(title: str, description: str, queries: Sequence[Query], **field_options: Any) -> bargauge.Panel:
    built = (bargauge.Panel().title(title).description(description).reduce_options(last_value())
             .orientation(cm.VizOrientation.HORIZONTAL).display_mode(cm.BarGaugeDisplayMode.BASIC)
             .show_unfilled(True).value_mode(cm.BarGaugeValueMode.COLOR))
    return fields(with_queries(built, queries), **field_options)


def alerts_table(title: str, description: str, expr: str) -> table.Panel:
    state_colors = value_map({"firing": ("", "red"), "pending": ("", "orange")})
    for result in state_colors.options.values():
        result.text = None  # color only, keep the state's own text
    return table_panel(
        title, description, [Query(expr, instant=True, table=True)],
        transformations=[organize({"Time": True, "Value": True, "__name__": True})],
        overrides=[override("alertstate", **{"custom.cellOptions": {"type": "color-text"}, "mappings": [state_colors]})],
    )


def links() -> list[gd.DashboardLink]:
    return [dashboard_link("DOST dashboards", DASHBOARD_TAG)]


def up_stat(title: str, job: str, description: str | None = None) -> tuple[PanelBuilder, int, int]:
    """A 4-wide stat: whether Prometheus can scrape ``job``, per instance."""
    return (stat_panel(title, description or f"Whether Prometheus can scrape job {job}, per instance.",
                       [Query(f'up{{job="{job}"}}', "{{instance}}", instant=True)], steps=up_steps(),
                       mappings=[value_map({"0": ("DOWN", "red"), "1": ("UP", "green")})]), 4, STAT)
