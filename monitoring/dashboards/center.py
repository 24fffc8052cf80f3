"""``dost-center``, the center drill-down (``$center_id``): trend per window, per service group,
sentiment mix, recent negative comments; the alerts' ``dashboard_url`` points here."""

from __future__ import annotations

from typing import Any

from grafana_foundation_sdk.builders import piechart
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm
from grafana_foundation_sdk.models import piechart as pcm

from dost_contract import metric_names as series
from dost_contract.change_detection import SHIPPED_DETECTORS, SMALL_DROP
from dost_contract.settings import Settings
from monitoring.dashboards.common import (
    CENTER,
    CHART,
    STAT,
    TABLE,
    alerts_table,
    chart,
    colored_ratio,
    count_stat,
    last_value,
    links,
    ratio_stat,
    satisfaction_steps,
    stat_panel,
    table_panel,
)
from monitoring.dashboards.panels import (
    Query,
    color,
    dashboard,
    layout,
    merge,
    model_json,
    organize,
    override,
    query_variable,
    value_map,
    with_queries,
)
from monitoring.names import (
    CENTER_CHANGE_EVIDENCE,
    CENTER_DASHBOARD,
    CENTER_INFO,
    CENTER_OPEN,
    CENTER_RATINGS,
    CENTER_SATISFACTION_RATIO,
    CENTER_SATISFACTION_TARGET,
    CENTER_WILSON_LOWER,
    CENTER_WILSON_UPPER,
    DASHBOARD_TAG,
)


def warning_share() -> float:
    """The warning level as a share of the small detector's page level."""
    return round(SMALL_DROP.warning_points / SMALL_DROP.page_points, 4)  # type: ignore[operator]


def detector_description() -> str:
    tuned = ", ".join(f"{spec.name}: {1 - spec.p1:.1%}" for spec in SHIPPED_DETECTORS)
    return ("Each change detector's score as a share of its page level (100%: pages; orange: the small "
            f"detector's warning). Tuned for drops to ({tuned}); see docs/alerting.md.")


def sentiment_mix(sentiment: str) -> piechart.Panel:
    built = (piechart.Panel().title("Sentiment mix")
             .description("Comments scored in the selected time range, by sentiment label.")
             .reduce_options(last_value()).pie_type(pcm.PieChartType.DONUT)
             .legend(piechart.PieChartLegendOptions().display_mode(cm.LegendDisplayMode.TABLE)
                     .placement(cm.LegendPlacement.RIGHT).show_legend(True)
                     .values([pcm.PieChartLegendValues.VALUE, pcm.PieChartLegendValues.PERCENT])))
    for label, shade in (("negative", "red"), ("neutral", "yellow"), ("positive", "green")):
        built.override_by_name(*override(label, color=color(dm.FieldColorModeId.FIXED, shade)))
    return with_queries(built, [Query(f"sum by (label) (increase({sentiment}[$__range]))", "{{label}}", instant=True)])


def center_drill_down(settings: Settings) -> dict[str, Any]:
    target = settings.default_target
    sentiment = f"{series.COMMENT_SENTIMENT_TOTAL}{{{CENTER}}}"
    negative = f'{series.COMMENT_SENTIMENT_TOTAL}{{{CENTER},label="negative"}}'
    group_sel = f'{{{CENTER},window="24h"}}'
    rows = [
        [
            (ratio_stat("24h satisfaction", "This center's satisfied share in the last 24 hours.",
                        f'{CENTER_SATISFACTION_RATIO}{{{CENTER},window="24h"}}', target), 4, STAT),
            (ratio_stat("7d satisfaction", "This center's satisfied share in the last 7 days.",
                        f'{CENTER_SATISFACTION_RATIO}{{{CENTER},window="7d"}}', target), 4, STAT),
            (stat_panel("Target", "This center's satisfaction target.",
                        [Query(f"{CENTER_SATISFACTION_TARGET}{{{CENTER}}}", instant=True)],
                        colors=cm.BigValueColorMode.NONE, unit="percentunit", decimals=2), 4, STAT),
            (count_stat("Ratings (24h / 7d)", "Ratings counted in each window: small samples never page.",
                        [Query(f'{CENTER_RATINGS}{{{CENTER},window=~"24h|7d"}}', "{{window}}", instant=True)]),
             4, STAT),
            (stat_panel("24h Wilson 95% interval", "Where the true 24h ratio lies with 95% confidence.",
                        [Query(f'{CENTER_WILSON_LOWER}{{{CENTER},window="24h"}}', "lower", instant=True),
                         Query(f'{CENTER_WILSON_UPPER}{{{CENTER},window="24h"}}', "upper", instant=True)],
                        unit="percentunit", decimals=2, steps=satisfaction_steps(target)), 4, STAT),
            (stat_panel("Open now", "Whether the center is within its opening hours (Asia/Baku).",
                        [Query(f"{CENTER_OPEN}{{{CENTER}}}", instant=True)], colors=cm.BigValueColorMode.VALUE,
                        mappings=[value_map({"0": ("closed", "text"), "1": ("open", "green")})]), 4, STAT),
        ],
        [
            (chart("Satisfaction per window", "The rolling ratio for each window, and the target.",
                   [Query(f"{CENTER_SATISFACTION_RATIO}{{{CENTER}}}", "{{window}}"),
                    Query(f"{CENTER_SATISFACTION_TARGET}{{{CENTER}}}", "target")],
                   unit="percentunit", minimum=None, maximum=1), 12, CHART + 1),
            (chart("Change detectors (share of the page level)", detector_description(),
                   [Query(f"{CENTER_CHANGE_EVIDENCE}{{{CENTER}}}", "{{detector}}")],
                   unit="percentunit", steps=(("green", None), ("orange", warning_share()), ("red", 1)),
                   minimum=0, maximum=None), 12, CHART + 1),
        ],
        [
            (chart("Ratings per window", "Number of ratings in each rolling window.",
                   [Query(f"{CENTER_RATINGS}{{{CENTER}}}", "{{window}}")]), 12, CHART),
            (chart("Ratings by score", "Ratings counted per interval, by score (1-3 unsatisfied, 4-5 satisfied).",
                   [Query(f"sum by (rating) (increase({series.FEEDBACK_RATINGS_TOTAL}{{{CENTER}}}[$__interval]))",
                          "{{rating}}")], bars=True), 12, CHART),
        ],
        [
            (table_panel("Per service group (24h)", "Satisfaction and counts per service group, last 24 hours.",
                         [Query(f"max by (service_group) ({series.SERVICE_GROUP_SATISFACTION_RATIO}{group_sel})",
                                instant=True, table=True),
                          Query(f"max by (service_group) ({series.SERVICE_GROUP_RATINGS}{group_sel})",
                                instant=True, table=True),
                          Query(f"max by (service_group) ({series.SERVICE_GROUP_SATISFIED}{group_sel})",
                                instant=True, table=True)],
                         transformations=[merge(), organize({"Time": True}, {
                             "Value #A": "satisfaction", "Value #B": "ratings", "Value #C": "satisfied"})],
                         overrides=[colored_ratio("satisfaction", target)]), 12, TABLE),
            (chart("Service group satisfaction (7d)", "Per service group, 7-day ratio over time.",
                   [Query(f'max by (service_group) ({series.SERVICE_GROUP_SATISFACTION_RATIO}{{{CENTER},window="7d"}})',
                          "{{service_group}}")], unit="percentunit", minimum=None, maximum=1), 12, TABLE),
        ],
        [
            (sentiment_mix(sentiment), 8, CHART),
            (count_stat("Negative comments (1h / 24h)", "Comments scored negative recently.",
                        [Query(f"sum(increase({negative}[1h]))", "last 1h", instant=True),
                         Query(f"sum(increase({negative}[24h]))", "last 24h", instant=True)],
                        (("green", None), ("orange", 1))), 6, CHART),
            (chart("Negative comments", "Comments scored negative per interval.",
                   [Query(f"sum(increase({negative}[$__interval]))", "negative")], bars=True), 10, CHART),
        ],
        [(alerts_table("Alerts for this center", "Pending or firing alerts that carry this center_id.",
                       f"ALERTS{{{CENTER}}}"), 24, CHART)],
    ]
    return model_json(dashboard(
        CENTER_DASHBOARD.uid, CENTER_DASHBOARD.title,
        "One DOST center: satisfaction per window against target, the change detectors, service groups and comment "
        "sentiment. Alerts link here with ?var-center_id=<center>.",
        layout(rows), tags=[DASHBOARD_TAG, "satisfaction"], links=links(), time_from="now-24h",
        variables=[query_variable("center_id", "Center", f"label_values({CENTER_INFO}, center_id)",
                                  f"Every center in the registry (the {series.CENTER_INFO} gauge).")],
    ))
