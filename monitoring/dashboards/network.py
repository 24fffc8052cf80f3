"""``dost-network``, the network overview: every center's 24h and 7d satisfaction against its
target (colored), counts, Wilson bounds, open alerts, network totals and burn rates."""

from __future__ import annotations

from typing import Any

from grafana_foundation_sdk.builders import table

from dost_contract.settings import Settings
from monitoring.dashboards.common import (
    CHART,
    STAT,
    TABLE,
    alerts_table,
    bar_gauge,
    burn_rate_steps,
    chart,
    colored_ratio,
    count_stat,
    links,
    ratio_stat,
    satisfaction_steps,
    stat_panel,
    table_panel,
)
from monitoring.dashboards.panels import Query, dashboard, layout, merge, model_json, organize, override
from monitoring.names import (
    CENTER_INFO,
    CENTER_RATINGS,
    CENTER_SATISFACTION_RATIO,
    CENTER_SATISFACTION_TARGET,
    CENTER_WILSON_LOWER,
    CENTER_WILSON_UPPER,
    DASHBOARD_TAG,
    NETWORK_BURN_RATE,
    NETWORK_DASHBOARD,
    NETWORK_RATINGS,
    NETWORK_SATISFACTION_RATIO,
)


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


def centers_table(target: float) -> table.Panel:
    columns = center_table_columns()
    refs = [chr(ord("A") + i) for i in range(len(columns))]
    rename = {f"Value #{ref}": title for ref, (title, _, _) in zip(refs, columns)}
    exclude = {"Time": True, **{f"Value #{ref}": True for ref, (_, _, kind) in zip(refs, columns) if kind == "info"}}
    overrides = []
    for title, _, kind in columns:
        if kind == "ratio":
            overrides.append(colored_ratio(title, target))
        elif kind == "bound":
            overrides.append(override(title, unit="percentunit", decimals=2))
        elif kind == "count":
            overrides.append(override(title, decimals=0))
    return table_panel(
        "Centers against target",
        "Every center's satisfied share (rating 4-5) in the last 24 hours and 7 days, colored against "
        "its target, with the number of ratings and the 95% Wilson score interval. A center pages "
        "only when even the upper bound is below target (and it has enough ratings).",
        [Query(expr, instant=True, table=True) for _, expr, _ in columns],
        sort_by="24h satisfaction",
        transformations=[merge(), organize(exclude, rename, {"center_id": 0, "region": 1})],
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
                        [Query(below, instant=True)], (("green", None), ("red", 1))), 4, STAT),
            (count_stat("Firing alerts", "Alerts firing now, by severity (details in the table below).",
                        [Query('count by (severity) (ALERTS{alertstate="firing"})', "{{severity}}", instant=True)],
                        (("red", None),)), 4, STAT),
            (stat_panel("Error-budget burn (1h)",
                   "How fast the network spends its error budget (1 − target): 1 spends it exactly over "
                   "the SLO period; 14.4 over 1h (with 5m) pages.",
                   [Query(f'{NETWORK_BURN_RATE}{{window="1h"}}', instant=True)],
                   decimals=2, steps=burn_rate_steps()), 4, STAT),
        ],
        [(centers_table(target), 24, TABLE + 2)],
        [
            (bar_gauge("24h satisfaction by center", "Each center's 24h ratio, colored against target.",
                   [Query(f'{CENTER_SATISFACTION_RATIO}{{window="24h"}}', "{{center_id}}", instant=True)],
                   unit="percentunit", decimals=2, minimum=0.9, maximum=1, steps=satisfaction_steps(target)),
             12, TABLE),
            (bar_gauge("7d satisfaction by center", "Each center's 7-day ratio, colored against target.",
                   [Query(f'{CENTER_SATISFACTION_RATIO}{{window="7d"}}', "{{center_id}}", instant=True)],
                   unit="percentunit", decimals=2, minimum=0.9, maximum=1, steps=satisfaction_steps(target)),
             12, TABLE),
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
    return model_json(dashboard(
        NETWORK_DASHBOARD.uid, NETWORK_DASHBOARD.title,
        "Citizen satisfaction across all DOST centers against each center's target (98.5% unless configured).",
        layout(rows), tags=[DASHBOARD_TAG, "satisfaction"], links=links(), time_from="now-7d",
    ))
