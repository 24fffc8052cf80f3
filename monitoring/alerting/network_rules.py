"""The network group: error-budget burn rates from the rating counter, and the
SRE Workbook multi-window, multi-burn-rate ``NetworkSatisfactionBudgetBurn`` alerts.

- ``dost:network_ratings:increase`` / ``dost:network_burn_rate:ratio{window}`` (5m ... 3d):
  from the de-duplicated rating counter; burn rate = unsatisfied share / error budget.
- ``NetworkSatisfactionBudgetBurn{severity="page"|"ticket", burn_window}``: guarded by a
  minimum network volume, so a nearly empty network never pages.
"""

from __future__ import annotations

from typing import Any

from dost_contract import metric_names as series
from monitoring.alerting.parameters import RuleParameters
from monitoring.alerting.promql import (
    NO_DECIMALS,
    ONE_DECIMAL,
    RATIO_DECIMAL,
    alert,
    dashboard_url,
    format_number,
    runbook_url,
    scalar_value,
)
from monitoring.names import (
    BURN_ALERT,
    NETWORK_BURN_RATE,
    NETWORK_DASHBOARD,
    NETWORK_GROUP,
    NETWORK_RATED,
    NETWORK_SATISFACTION_RATIO,
    RUNBOOK_ANCHOR_BURN_PAGE,
    RUNBOOK_ANCHOR_BURN_TICKET,
)

# Ratings 1-3 are unsatisfied (the contract: satisfied is 4 or 5).
UNSATISFIED_RATINGS = ("1", "2", "3")
# SRE Workbook multi-window, multi-burn-rate alerting on a 30-day budget:
# (severity, long window, short window, burn-rate threshold). Burn rate 1 spends the
# budget exactly in 30 days; 14.4 spends 2% of it in 1h, 6 spends 5% in 6h,
# 3 spends 10% in 1d, 1 spends 10% in 3d.
BURN_RATE_RULES = (
    ("page", "1h", "5m", 14.4),
    ("page", "6h", "30m", 6.0),
    ("ticket", "1d", "2h", 3.0),
    ("ticket", "3d", "6h", 1.0),
)
BURN_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")


def _ratings_increase(window: str, matcher: str = "") -> str:
    return f"sum(increase({series.FEEDBACK_RATINGS_TOTAL}{matcher}[{window}]))"


def burn_rate_rules(error_budget: float) -> list[dict[str, Any]]:
    """Network ratings and burn rate per window, from the de-duplicated rating counter.

    burn rate = (unsatisfied / all ratings in the window) / error budget: 1 spends the
    budget exactly over 30 days, 14.4 spends 2% of it in an hour.
    """
    unsatisfied = f'{{rating=~"{"|".join(UNSATISFIED_RATINGS)}"}}'
    rules: list[dict[str, Any]] = []
    for window in BURN_WINDOWS:
        rules.append({"record": NETWORK_RATED, "expr": _ratings_increase(window), "labels": {"window": window}})
    for window in BURN_WINDOWS:
        rules.append({
            "record": NETWORK_BURN_RATE,
            "expr": (
                # `or vector(0)`: no unsatisfied rating yet is a burn rate of 0, not "no data".
                f"  ({_ratings_increase(window, unsatisfied)} or vector(0))\n"
                f"/ ({_ratings_increase(window)} > 0)\n"
                f"/ {error_budget!r}"
            ),
            "labels": {"window": window},
        })
    return rules


def burn_rate_alert(params: RuleParameters, severity: str, long: str, short: str, threshold: float) -> dict[str, Any]:
    def burn(window: str) -> str:
        return f'{NETWORK_BURN_RATE}{{window="{window}"}}'

    def rated(window: str) -> str:
        return f'{NETWORK_RATED}{{window="{window}"}}'

    limit = format_number(threshold)
    expr = (
        f"# the long window burns the budget {limit}x too fast ...\n"
        f"  max without (window) ({burn(long)}) > {limit}\n"
        f"# ... and it still does (the short window), so the alert resolves soon after a fix ...\n"
        f"and on ()\n"
        f"  {burn(short)} > {limit}\n"
        f"# ... with enough ratings in the long window for the ratio to mean something\n"
        f"and on ()\n"
        f"  {rated(long)} >= {params.burn_min_ratings}"
    )
    budget = f"{params.error_budget * 100:g}%"
    network_ratio_24h = f'{NETWORK_SATISFACTION_RATIO}{{window="24h"}}'
    unsatisfied_share = f"{burn(long)} * {params.error_budget!r}"
    page = severity == "page"
    return alert(
        BURN_ALERT,
        expr,
        hold=params.timings.alert_burn_page_for if page else params.timings.alert_burn_ticket_for,
        severity=severity,
        labels={"burn_window": f"{long}/{short}"},
        annotations={
            "summary": (
                f"DOST network is burning its satisfaction error budget "
                f"{{{{ $value | printf \"%.1f\" }}}}x too fast ({long}/{short})"
            ),
            "description": (
                f"Burn rate {{{{ $value | printf \"%.1f\" }}}} over {long} and "
                f"{scalar_value(burn(short), ONE_DECIMAL)} over {short} (alerts above {limit}; "
                f"1 spends the {budget} unsatisfied-rating budget in exactly 30 days). "
                f"{scalar_value(rated(long), NO_DECIMALS)} ratings in {long}, "
                f"{scalar_value(unsatisfied_share, 'humanizePercentage')} of them unsatisfied (budget {budget}). "
                f"Network 24h satisfaction: "
                f"{scalar_value(network_ratio_24h, 'humanizePercentage')}."
            ),
            "burn_rate": '{{ $value | printf "%.2f" }}',
            "burn_rate_short": scalar_value(burn(short), 'printf "%.2f"'),
            "count": scalar_value(rated(long), 'printf "%.0f"'),
            "unsatisfied_ratio": scalar_value(unsatisfied_share, RATIO_DECIMAL),
            "dashboard_url": dashboard_url(params, NETWORK_DASHBOARD),
            "runbook_url": runbook_url(params, RUNBOOK_ANCHOR_BURN_PAGE if page else RUNBOOK_ANCHOR_BURN_TICKET),
        },
    )


def burn_rate_alerts(params: RuleParameters) -> list[dict[str, Any]]:
    return [burn_rate_alert(params, *rule) for rule in BURN_RATE_RULES]


def network_group(params: RuleParameters) -> dict[str, Any]:
    return {"name": NETWORK_GROUP, "rules": [*burn_rate_rules(params.error_budget), *burn_rate_alerts(params)]}
