"""Prometheus recording and alerting rules, rendered from parameters.

Everything here is pure: parameters in, a rule-file document (a dict) or its YAML out.
The committed ``monitoring/prometheus/rules/satisfaction.rules.yml`` is this module's
"prod" output (``python -m monitoring.shipped`` writes it; a test checks for drift), and
``monitoring.local`` writes the "dev" output for local stacks and tests. The promtool
unit tests are in ``monitoring/prometheus/tests/``; the runbook is docs/operations.md.

Recording rules (labels ``center_id``, ``window``; the target only ``center_id``):

- ``dost:center_ratings:max``, ``dost:center_satisfied:max``, ``dost:center_satisfaction:ratio``,
  ``dost:center_satisfaction_target:max``: the worker gauges, reduced with ``max by`` so
  that several worker instances (or a stale series left by one) yield one series per
  center and window and the alert joins below stay one-to-one.
- ``dost:center_satisfaction_wilson_upper:ratio`` / ``..._wilson_lower:ratio``: the 95% Wilson
  score interval of satisfied / ratings (see ``monitoring.wilson``).
- ``dost:center_info:max``, ``dost:center_open:max``, ``dost:center_ratings_per_open_hour:7d``,
  ``dost:center_silent_expected_ratings:max``: registry info, opening hours, usual volume
  and the evidence of a silent open center.
- ``dost:network_{ratings,satisfied}:sum`` / ``dost:network_satisfaction:ratio{window}``:
  network totals from the center gauges.
- ``dost:network_ratings:increase`` / ``dost:network_burn_rate:ratio{window}`` (5m ... 3d):
  from ``dost_feedback_ratings_total``; burn rate = unsatisfied share / error budget.
- ``dost:worker_consumer_lag:sum``, ``dost:sentiment_consumer_lag:sum``.

Alerts (all with ``severity``, ``summary``, ``description``, ``dashboard_url``, ``runbook_url``;
center alerts add ``center_id`` and ``region``):

- ``CenterSatisfactionBelowTarget{severity="warning"}``: the 24h ratio is below the
  center's target, with at least ``min_ratings`` ratings in the window.
- ``CenterSatisfactionBelowTarget{severity="page"}``: in the 24h or 7d window (label
  ``window``), at least ``min_ratings`` ratings and the Wilson upper bound below target.
- ``NetworkSatisfactionBudgetBurn{severity="page"|"ticket", burn_window}``: SRE Workbook
  multi-window, multi-burn-rate alerts, guarded by a minimum network volume.
- ``CenterNoRatingsWhileOpen``: an open center silent for longer than chance explains.
- ``DostWorkerDown``, ``DostSentimentWorkerDown``, ``DostConsumerLagGrowing``,
  ``DostDeadLettersAppearing``, ``DostSentimentBacklog``: pipeline health.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dost_feedback.settings import Settings
from monitoring.profiles import ProfileName, monitoring_profile
from monitoring.wilson import Z_95
from monitoring.yaml_output import dump_yaml

WINDOWS = ("1h", "24h", "7d", "30d")
WARNING_WINDOW = "24h"
PAGE_WINDOWS = ("24h", "7d")

SATISFACTION_ALERT = "CenterSatisfactionBelowTarget"
WORKER_DOWN_ALERT = "DostWorkerDown"
BURN_ALERT = "NetworkSatisfactionBudgetBurn"
LAG_ALERT = "DostConsumerLagGrowing"
DEADLETTER_ALERT = "DostDeadLettersAppearing"
SENTIMENT_BACKLOG_ALERT = "DostSentimentBacklog"
SENTIMENT_DOWN_ALERT = "DostSentimentWorkerDown"
NO_RATINGS_ALERT = "CenterNoRatingsWhileOpen"
ONCALL_FAILED_ALERT = "DostOncallDeliveryFailed"
ALERT_NAMES = (
    SATISFACTION_ALERT, BURN_ALERT, NO_RATINGS_ALERT, WORKER_DOWN_ALERT, SENTIMENT_DOWN_ALERT,
    LAG_ALERT, DEADLETTER_ALERT, SENTIMENT_BACKLOG_ALERT, ONCALL_FAILED_ALERT,
)
WORKER_JOB = "dost-worker"
SENTIMENT_JOB = "dost-sentiment"

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

# Recording rule names: level:metric:operation.
CENTER_RATINGS = "dost:center_ratings:max"
CENTER_SATISFIED = "dost:center_satisfied:max"
CENTER_SATISFACTION_RATIO = "dost:center_satisfaction:ratio"
CENTER_SATISFACTION_TARGET = "dost:center_satisfaction_target:max"
CENTER_WILSON_UPPER = "dost:center_satisfaction_wilson_upper:ratio"
CENTER_WILSON_LOWER = "dost:center_satisfaction_wilson_lower:ratio"
CENTER_INFO = "dost:center_info:max"  # {center_id, region, kind}
CENTER_OPEN = "dost:center_open:max"
CENTER_RATINGS_PER_OPEN_HOUR = "dost:center_ratings_per_open_hour:7d"
CENTER_SILENT_EXPECTED = "dost:center_silent_expected_ratings:max"
NETWORK_RATINGS = "dost:network_ratings:sum"  # {window}, from the center gauges
NETWORK_SATISFIED = "dost:network_satisfied:sum"
NETWORK_SATISFACTION_RATIO = "dost:network_satisfaction:ratio"
NETWORK_RATED = "dost:network_ratings:increase"  # {window in BURN_WINDOWS}, from the counter
NETWORK_BURN_RATE = "dost:network_burn_rate:ratio"  # {window in BURN_WINDOWS}
WORKER_LAG = "dost:worker_consumer_lag:sum"
SENTIMENT_LAG = "dost:sentiment_consumer_lag:sum"

SATISFACTION_GROUP = "dost-center-satisfaction"
NETWORK_GROUP = "dost-network-satisfaction"
PIPELINE_GROUP = "dost-pipeline-health"

# Anchors in docs/operations.md (explicit <a id> tags there).
RUNBOOK_ANCHOR_WARNING = "center-satisfaction-warning"
RUNBOOK_ANCHOR_PAGE = "center-satisfaction-page"
RUNBOOK_ANCHOR_WORKER_DOWN = "dost-worker-down"
RUNBOOK_ANCHOR_BURN_PAGE = "network-budget-burn-page"
RUNBOOK_ANCHOR_BURN_TICKET = "network-budget-burn-ticket"
RUNBOOK_ANCHOR_LAG = "dost-consumer-lag-growing"
RUNBOOK_ANCHOR_DEADLETTERS = "dost-dead-letters-appearing"
RUNBOOK_ANCHOR_SENTIMENT_BACKLOG = "dost-sentiment-backlog"
RUNBOOK_ANCHOR_SENTIMENT_DOWN = "dost-sentiment-worker-down"
RUNBOOK_ANCHOR_NO_RATINGS = "center-no-ratings-while-open"
RUNBOOK_ANCHOR_ONCALL_FAILED = "dost-oncall-delivery-failed"

# Grafana dashboards (uids fixed; monitoring/grafana builds them).
DASHBOARD_PATH = "/d/dost-center/center-drill-down"  # with ?var-center_id=
NETWORK_DASHBOARD_PATH = "/d/dost-network/network-overview"
PIPELINE_DASHBOARD_PATH = "/d/dost-pipeline/pipeline-health"


@dataclass(frozen=True)
class RuleParameters:
    min_ratings: int  # fewer ratings than this in a window never alert
    warning_for: str
    page_for: str
    worker_down_for: str
    dashboard_base_url: str  # Grafana base URL, e.g. http://127.0.0.1:3000
    runbook_base_url: str  # the runbook document; anchors are appended
    z: float = Z_95
    error_budget: float = 0.015  # 1 - the network target
    burn_min_ratings: int = 100
    burn_page_for: str = "2m"
    burn_ticket_for: str = "15m"
    consumer_lag_messages: int = 1000
    lag_growth_window: str = "10m"
    consumer_lag_for: str = "10m"
    deadletter_window: str = "15m"
    sentiment_backlog_messages: int = 500
    sentiment_backlog_for: str = "15m"
    oncall_failed_window: str = "30m"
    no_ratings_min_expected: float = 10.0
    no_ratings_lookbacks: tuple[str, ...] = ("1h", "3h", "8h")
    no_ratings_for: str = "15m"
    evaluation_interval: str = "1m"  # rule evaluation step: sum_over_time of a recorded 0/1 -> time


def rule_parameters(
    settings: Settings, profile: ProfileName | None = None, dashboard_base_url: str | None = None
) -> RuleParameters:
    """Rule parameters from settings for ``profile`` (default ``settings.profile``)."""
    timings = monitoring_profile(settings, profile)
    return RuleParameters(
        min_ratings=settings.alert_min_ratings,
        warning_for=timings.warning_for,
        page_for=timings.page_for,
        worker_down_for=timings.worker_down_for,
        dashboard_base_url=dashboard_base_url or settings.grafana_url,
        runbook_base_url=settings.runbook_base_url,
        error_budget=round(1 - settings.default_target, 10),
        burn_min_ratings=settings.alert_burn_min_ratings,
        burn_page_for=timings.burn_page_for,
        burn_ticket_for=timings.burn_ticket_for,
        consumer_lag_messages=settings.alert_consumer_lag_messages,
        lag_growth_window=timings.lag_growth_window,
        consumer_lag_for=timings.consumer_lag_for,
        deadletter_window=timings.deadletter_window,
        sentiment_backlog_messages=settings.alert_sentiment_backlog_messages,
        sentiment_backlog_for=timings.sentiment_backlog_for,
        oncall_failed_window=timings.oncall_failed_window,
        no_ratings_min_expected=settings.alert_no_ratings_min_expected,
        no_ratings_lookbacks=timings.no_ratings_lookbacks,
        no_ratings_for=timings.no_ratings_for,
        evaluation_interval=timings.evaluation_interval,
    )


_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}


def duration_seconds(duration: str) -> float:
    """Seconds in a Prometheus duration such as "90s", "1h30m" or "3d"."""
    parts = re.findall(r"([0-9]+)(ms|s|m|h|d|w|y)", duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"not a Prometheus duration: {duration!r}")
    return sum(int(number) * _DURATION_UNITS[unit] for number, unit in parts)


# --- recording rules --------------------------------------------------------------------


def wilson_bound_expr(bound: str, z: float = Z_95) -> str:
    """PromQL for the Wilson bound ("upper" or "lower") from the recorded counts.

    Count form of the Wilson score interval (``monitoring.wilson`` derives it):
    (satisfied + z²/2 ± z·sqrt(satisfied·(ratings − satisfied)/ratings + z²/4)) / (ratings + z²)
    """
    sign = {"upper": "+", "lower": "-"}[bound]
    return (
        f"(\n"
        f"    {CENTER_SATISFIED}\n"
        f"  + {z!r}^2 / 2\n"
        f"  {sign} {z!r} * sqrt(\n"
        f"        {CENTER_SATISFIED}\n"
        # clamp_min: satisfied may exceed ratings by a scrape when the two gauges come from
        # different worker instances; sqrt of a negative would be NaN.
        f"      * clamp_min({CENTER_RATINGS} - {CENTER_SATISFIED}, 0)\n"
        # > 0: an empty window has no ratio and no interval (and no division by zero).
        f"      / ({CENTER_RATINGS} > 0)\n"
        f"      + {z!r}^2 / 4\n"
        f"    )\n"
        f")\n"
        f"/ ({CENTER_RATINGS} + {z!r}^2)"
    )


def recording_rules(z: float = Z_95) -> list[dict[str, Any]]:
    """Per-center rules (and the network totals summed from them)."""
    by_center_window = "max by (center_id, window)"
    return [
        {"record": CENTER_RATINGS, "expr": f"{by_center_window} (dost_center_ratings)"},
        {"record": CENTER_SATISFIED, "expr": f"{by_center_window} (dost_center_satisfied)"},
        {"record": CENTER_SATISFACTION_RATIO, "expr": f"{by_center_window} (dost_center_satisfaction_ratio)"},
        {"record": CENTER_SATISFACTION_TARGET, "expr": "max by (center_id) (dost_center_satisfaction_target)"},
        {"record": CENTER_WILSON_UPPER, "expr": wilson_bound_expr("upper", z)},
        {"record": CENTER_WILSON_LOWER, "expr": wilson_bound_expr("lower", z)},
        {"record": CENTER_INFO, "expr": "max by (center_id, region, kind) (dost_center_info)"},
        {"record": CENTER_OPEN, "expr": "max by (center_id) (dost_center_open)"},
        {
            # The center's usual volume: ratings in the last 7 days per hour it was open.
            "record": CENTER_RATINGS_PER_OPEN_HOUR,
            "expr": (
                f'  max without (window) ({CENTER_RATINGS}{{window="7d"}})\n'
                f"/ on (center_id)\n"
                f"  (max by (center_id) (dost_center_open_hours_per_week) > 0)"
            ),
        },
        {"record": NETWORK_RATINGS, "expr": f"sum by (window) ({CENTER_RATINGS})"},
        {"record": NETWORK_SATISFIED, "expr": f"sum by (window) ({CENTER_SATISFIED})"},
        {"record": NETWORK_SATISFACTION_RATIO, "expr": f"{NETWORK_SATISFIED} / ({NETWORK_RATINGS} > 0)"},
    ]


def _ratings_increase(window: str, matcher: str = "") -> str:
    return f"sum(increase(dost_feedback_ratings_total{matcher}[{window}]))"


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


def pipeline_recording_rules() -> list[dict[str, Any]]:
    # max by partition: at a rebalance two processes may report a partition for a scrape.
    return [
        {"record": WORKER_LAG, "expr": "sum(max by (partition) (dost_worker_consumer_lag_messages))"},
        {"record": SENTIMENT_LAG, "expr": "sum(max by (partition) (dost_sentiment_consumer_lag_messages))"},
    ]


# --- alerts -----------------------------------------------------------------------------


def window_matcher(windows: tuple[str, ...]) -> str:
    if len(windows) == 1:
        return f'window="{windows[0]}"'
    return f'window=~"{"|".join(windows)}"'


def below_target_expr(metric: str, windows: tuple[str, ...], min_ratings: int) -> str:
    """``metric`` (a ratio or bound per center/window) below the center's own target,
    in windows holding at least ``min_ratings`` ratings."""
    selector = window_matcher(windows)
    return (
        f"# below this center's own target ...\n"
        f"  {metric}{{{selector}}}\n"
        f"< on (center_id) group_left\n"
        f"  {CENTER_SATISFACTION_TARGET}\n"
        f"# ... with enough ratings in the same window for the number to mean something\n"
        f"and on (center_id, window)\n"
        f"  {CENTER_RATINGS}{{{selector}}} >= {min_ratings}"
    )


def with_region(expr: str) -> str:
    """``expr`` (one series per center) with the center's ``region`` label added.

    The value is unchanged (the info gauge is 1). ``topk by (center_id) (1, ...)`` keeps
    the join one-to-one even while a registry change briefly shows two regions for a
    center. A center without ``dost_center_info`` (an older worker, a stand-in exporter)
    still alerts, without a region, rather than going silent.
    """
    return (
        f"(\n{expr}\n)\n"
        f"* on (center_id) group_left (region)\n"
        f"  topk by (center_id) (1, {CENTER_INFO})\n"
        f"or\n"
        f"(\n{expr}\n)\n"
        f"unless on (center_id)\n"
        f"  {CENTER_INFO}"
    )


def _query_template(metric: str, labels: tuple[str, ...], value_format: str) -> str:
    """Go template that looks up ``metric`` for this alert's labels and formats its value."""
    selector = ",".join(f'{label}="%s"' for label in labels)
    arguments = " ".join(f"$labels.{label}" for label in labels)
    return (
        f"{{{{ with printf `{metric}{{{selector}}}` {arguments} | query }}}}"
        f"{{{{ . | first | value | {value_format} }}}}{{{{ end }}}}"
    )


def _center_window_value(metric: str, value_format: str) -> str:
    return _query_template(metric, ("center_id", "window"), value_format)


RATIO_DECIMAL = 'printf "%.4f"'
ONE_DECIMAL = 'printf "%.1f"'
NO_DECIMALS = 'printf "%.0f"'
PERCENT = "humanizePercentage"


def _satisfaction_annotations(params: RuleParameters, runbook_anchor: str, summary: str, description: str) -> dict[str, str]:
    return {
        "summary": summary,
        "description": description,
        "ratio": _center_window_value(CENTER_SATISFACTION_RATIO, RATIO_DECIMAL),
        "count": _center_window_value(CENTER_RATINGS, 'printf "%.0f"'),
        "wilson_upper": _center_window_value(CENTER_WILSON_UPPER, RATIO_DECIMAL),
        "target": _query_template(CENTER_SATISFACTION_TARGET, ("center_id",), RATIO_DECIMAL),
        "dashboard_url": center_dashboard_url(params),
        "runbook_url": runbook_url(params, runbook_anchor),
    }


def _evidence_sentence() -> str:
    ratings = _center_window_value(CENTER_RATINGS, 'printf "%.0f"')
    ratio = _center_window_value(CENTER_SATISFACTION_RATIO, PERCENT)
    upper = _center_window_value(CENTER_WILSON_UPPER, PERCENT)
    target = _query_template(CENTER_SATISFACTION_TARGET, ("center_id",), PERCENT)
    return (
        f"{{{{ $labels.window }}}} window: {ratings} ratings, {ratio} satisfied, "
        f"target {target}, 95% Wilson upper bound {upper}."
    )


def warning_alert(params: RuleParameters) -> dict[str, Any]:
    return {
        "alert": SATISFACTION_ALERT,
        # The observed ratio alone: early notice, not yet proof (see the page below).
        "expr": with_region(below_target_expr(CENTER_SATISFACTION_RATIO, (WARNING_WINDOW,), params.min_ratings)),
        "for": params.warning_for,
        "labels": {"severity": "warning"},
        "annotations": _satisfaction_annotations(
            params,
            RUNBOOK_ANCHOR_WARNING,
            summary="DOST center {{ $labels.center_id }}: 24h satisfaction is below target",
            description=(
                f"{_evidence_sentence()} "
                "It pages once the upper bound, too, is below target."
            ),
        ),
    }


def page_alert(params: RuleParameters) -> dict[str, Any]:
    return {
        "alert": SATISFACTION_ALERT,
        # Even the optimistic end of the 95% interval is below target: the center really
        # is below it, not unlucky in a small sample. One alert per window (label `window`).
        "expr": with_region(below_target_expr(CENTER_WILSON_UPPER, PAGE_WINDOWS, params.min_ratings)),
        "for": params.page_for,
        "labels": {"severity": "page"},
        "annotations": _satisfaction_annotations(
            params,
            RUNBOOK_ANCHOR_PAGE,
            summary=(
                "DOST center {{ $labels.center_id }} is below its satisfaction target "
                "({{ $labels.window }}, 95% confidence)"
            ),
            description=(
                f"{_evidence_sentence()} "
                "Even the upper bound is below target, so the shortfall is not sampling noise."
            ),
        ),
    }


def _process_down_alert(params: RuleParameters, alert: str, job: str, what: str, consequence: str,
                        runbook_anchor: str) -> dict[str, Any]:
    return {
        "alert": alert,
        "expr": f'up{{job="{job}"}} == 0',
        "for": params.worker_down_for,
        "labels": {"severity": "warning"},
        "annotations": {
            "summary": f"DOST {what} {{{{ $labels.instance }}}} is down",
            "description": f"Prometheus cannot scrape {{{{ $labels.instance }}}} (job {{{{ $labels.job }}}}). {consequence}",
            "dashboard_url": _dashboard(params, PIPELINE_DASHBOARD_PATH),
            "runbook_url": runbook_url(params, runbook_anchor),
        },
    }


def worker_down_alert(params: RuleParameters) -> dict[str, Any]:
    # While a worker is down its centers' gauges vanish and their alerts resolve.
    return _process_down_alert(
        params, WORKER_DOWN_ALERT, WORKER_JOB, "stream worker",
        "Satisfaction metrics of the centers it owns are missing until another worker takes over its partitions.",
        RUNBOOK_ANCHOR_WORKER_DOWN,
    )


def runbook_url(params: RuleParameters, anchor: str) -> str:
    return f"{params.runbook_base_url}#{anchor}"


def center_dashboard_url(params: RuleParameters) -> str:
    """The center drill-down dashboard for the alert's center (a Go template)."""
    return f"{_dashboard(params, DASHBOARD_PATH)}?var-center_id={{{{ $labels.center_id }}}}"


def _dashboard(params: RuleParameters, path: str) -> str:
    return f"{params.dashboard_base_url.rstrip('/')}{path}"


def _scalar_value(expr: str, value_format: str) -> str:
    """Go template: the value of a label-free PromQL ``expr``, formatted ("n/a" when absent)."""
    return f"{{{{ with query `{expr}` }}}}{{{{ . | first | value | {value_format} }}}}{{{{ else }}}}n/a{{{{ end }}}}"


def _format_number(value: float) -> str:
    return f"{value:g}"


def silent_expected_rule(params: RuleParameters) -> dict[str, Any]:
    """How many ratings the center would usually have had during its current silence.

    For each lookback L: if not one rating arrived in L (the current-hour count stayed 0
    throughout L), the expected number is the center's ratings per open hour times the
    hours it was open in L. The record is the largest over the silent lookbacks: the
    strongest evidence. Absent when the center had a rating in even the shortest lookback.
    """
    step_hours = duration_seconds(params.evaluation_interval) / 3600
    parts = []
    for lookback in params.no_ratings_lookbacks:
        parts.append(
            f"  label_replace(\n"
            f"      {CENTER_RATINGS_PER_OPEN_HOUR}\n"
            # CENTER_OPEN is recorded once per evaluation: samples x step = hours open in L.
            # A gap in the history (a restart) only lowers it: it can delay the alert, not invent it.
            f"    * on (center_id) (sum_over_time({CENTER_OPEN}[{lookback}]) * {step_hours!r})\n"
            f"    and on (center_id)\n"
            f'      max_over_time({CENTER_RATINGS}{{window="1h"}}[{lookback}]) == 0,\n'
            f'    "lookback", "{lookback}", "", ""\n'
            f"  )"
        )
    return {"record": CENTER_SILENT_EXPECTED, "expr": "max by (center_id) (\n" + "\nor\n".join(parts) + "\n)"}


def no_ratings_alert(params: RuleParameters) -> dict[str, Any]:
    minimum = _format_number(params.no_ratings_min_expected)
    lookbacks = ", ".join(params.no_ratings_lookbacks)
    expr = (
        f"# silent for so long that its usual volume makes chance implausible (P(0) = e^-expected) ...\n"
        f"  {CENTER_SILENT_EXPECTED} >= {minimum}\n"
        f"# ... and open right now\n"
        f"and on (center_id)\n"
        f"  {CENTER_OPEN} == 1"
    )
    per_hour = _query_template(CENTER_RATINGS_PER_OPEN_HOUR, ("center_id",), ONE_DECIMAL)
    return {
        "alert": NO_RATINGS_ALERT,
        "expr": with_region(expr),
        "for": params.no_ratings_for,
        "labels": {"severity": "warning"},
        "annotations": {
            "summary": "DOST center {{ $labels.center_id }} is open but no ratings are arriving",
            "description": (
                f"No rating from {{{{ $labels.center_id }}}} while it was open, for long enough that "
                f"{{{{ $value | printf \"%.1f\" }}}} would usually have arrived (it usually gets {per_hour} "
                f"per open hour; alerts at {minimum} expected, checked over {lookbacks}). "
                "Silence this long is not chance: kiosks, SMS or the web form at this center may be broken."
            ),
            "expected_ratings": '{{ $value | printf "%.1f" }}',
            "ratings_per_open_hour": per_hour,
            "dashboard_url": center_dashboard_url(params),
            "runbook_url": runbook_url(params, RUNBOOK_ANCHOR_NO_RATINGS),
        },
    }


def burn_rate_alert(params: RuleParameters, severity: str, long: str, short: str, threshold: float) -> dict[str, Any]:
    def burn(window: str) -> str:
        return f'{NETWORK_BURN_RATE}{{window="{window}"}}'

    def rated(window: str) -> str:
        return f'{NETWORK_RATED}{{window="{window}"}}'

    limit = _format_number(threshold)
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
    return {
        "alert": BURN_ALERT,
        "expr": expr,
        "for": params.burn_page_for if severity == "page" else params.burn_ticket_for,
        "labels": {"severity": severity, "burn_window": f"{long}/{short}"},
        "annotations": {
            "summary": (
                f"DOST network is burning its satisfaction error budget "
                f"{{{{ $value | printf \"%.1f\" }}}}x too fast ({long}/{short})"
            ),
            "description": (
                f"Burn rate {{{{ $value | printf \"%.1f\" }}}} over {long} and "
                f"{_scalar_value(burn(short), ONE_DECIMAL)} over {short} (alerts above {limit}; "
                f"1 spends the {budget} unsatisfied-rating budget in exactly 30 days). "
                f"{_scalar_value(rated(long), NO_DECIMALS)} ratings in {long}, "
                f"{_scalar_value(unsatisfied_share, 'humanizePercentage')} of them unsatisfied (budget {budget}). "
                f"Network 24h satisfaction: "
                f"{_scalar_value(network_ratio_24h, 'humanizePercentage')}."
            ),
            "burn_rate": '{{ $value | printf "%.2f" }}',
            "burn_rate_short": _scalar_value(burn(short), 'printf "%.2f"'),
            "count": _scalar_value(rated(long), 'printf "%.0f"'),
            "unsatisfied_ratio": _scalar_value(unsatisfied_share, RATIO_DECIMAL),
            "dashboard_url": _dashboard(params, NETWORK_DASHBOARD_PATH),
            "runbook_url": runbook_url(
                params, RUNBOOK_ANCHOR_BURN_PAGE if severity == "page" else RUNBOOK_ANCHOR_BURN_TICKET
            ),
        },
    }


def burn_rate_alerts(params: RuleParameters) -> list[dict[str, Any]]:
    return [burn_rate_alert(params, *rule) for rule in BURN_RATE_RULES]


def sentiment_down_alert(params: RuleParameters) -> dict[str, Any]:
    return _process_down_alert(
        params, SENTIMENT_DOWN_ALERT, SENTIMENT_JOB, "sentiment worker",
        "Comments are not scored into feedback.scored until it is back; ratings and satisfaction alerts are "
        "unaffected (its own consumer group), and it catches up from its committed offsets.",
        RUNBOOK_ANCHOR_SENTIMENT_DOWN,
    )


def consumer_lag_alert(params: RuleParameters) -> dict[str, Any]:
    window = params.lag_growth_window
    lag_growth_per_minute = f"deriv({WORKER_LAG}[{window}]) * 60"
    return {
        "alert": LAG_ALERT,
        "expr": (
            f"# many ratings waiting ...\n"
            f"  {WORKER_LAG} > {params.consumer_lag_messages}\n"
            f"# ... and the pile still growing (the workers do not keep up)\n"
            f"and\n"
            f"  deriv({WORKER_LAG}[{window}]) > 0"
        ),
        "for": params.consumer_lag_for,
        "labels": {"severity": "warning"},
        "annotations": {
            "summary": "DOST rating workers are falling behind: {{ $value | printf \"%.0f\" }} ratings waiting",
            "description": (
                f"{{{{ $value | printf \"%.0f\" }}}} records of feedback.submitted wait for the rating workers "
                f"(alerts above {params.consumer_lag_messages}), growing by "
                f"{_scalar_value(lag_growth_per_minute, NO_DECIMALS)} per minute over "
                f"the last {window}. Satisfaction gauges lag behind reality, so center alerts come late."
            ),
            "lag": '{{ $value | printf "%.0f" }}',
            "dashboard_url": _dashboard(params, PIPELINE_DASHBOARD_PATH),
            "runbook_url": runbook_url(params, RUNBOOK_ANCHOR_LAG),
        },
    }


def deadletter_alert(params: RuleParameters) -> dict[str, Any]:
    window = params.deadletter_window
    return {
        "alert": DEADLETTER_ALERT,
        # The worker exports every reason at 0 from start-up, so the first one is an increase.
        "expr": f"sum by (reason) (increase(dost_worker_deadletters_total[{window}])) > 0",
        "labels": {"severity": "ticket"},
        "annotations": {
            "summary": "DOST dead letters appearing: {{ $labels.reason }}",
            "description": (
                f"About {{{{ $value | printf \"%.0f\" }}}} events went to feedback.deadletter with reason "
                f"{{{{ $labels.reason }}}} in the last {window}. They are not counted in any satisfaction "
                "number until fixed and replayed."
            ),
            "count": '{{ $value | printf "%.0f" }}',
            "dashboard_url": _dashboard(params, PIPELINE_DASHBOARD_PATH),
            "runbook_url": runbook_url(params, RUNBOOK_ANCHOR_DEADLETTERS),
        },
    }


def sentiment_backlog_alert(params: RuleParameters) -> dict[str, Any]:
    return {
        "alert": SENTIMENT_BACKLOG_ALERT,
        "expr": f"{SENTIMENT_LAG} > {params.sentiment_backlog_messages}",
        "for": params.sentiment_backlog_for,
        "labels": {"severity": "warning"},
        "annotations": {
            "summary": "DOST sentiment backlog: {{ $value | printf \"%.0f\" }} records not yet scored",
            "description": (
                f"The sentiment worker is {{{{ $value | printf \"%.0f\" }}}} records of feedback.submitted behind "
                f"(alerts above {params.sentiment_backlog_messages} for {params.sentiment_backlog_for}). "
                "Comment sentiment on dashboards is late; ratings are unaffected."
            ),
            "lag": '{{ $value | printf "%.0f" }}',
            "dashboard_url": _dashboard(params, PIPELINE_DASHBOARD_PATH),
            "runbook_url": runbook_url(params, RUNBOOK_ANCHOR_SENTIMENT_BACKLOG),
        },
    }


def oncall_failed_alert(params: RuleParameters) -> dict[str, Any]:
    window = params.oncall_failed_window
    failed = 'dost_oncall_deliveries_undelivered{state="failed"}'
    return {
        "alert": ONCALL_FAILED_ALERT,
        # The gauge counts failed rows in the receiver's outbox (they stay there), so growth
        # within the window means new deliveries were given up; a restart does not reset it.
        "expr": f"{failed} - min_over_time({failed}[{window}]) > 0",
        "labels": {"severity": "warning"},
        "annotations": {
            "summary": "DOST on-call deliveries failed for good on {{ $labels.instance }}",
            "description": (
                f"{{{{ $value | printf \"%.0f\" }}}} on-call deliveries were given up after the last retry in the "
                f"last {window}. Someone may have missed an alert: `dost-feedback oncall log --failed` "
                "lists them with the last error."
            ),
            "count": '{{ $value | printf "%.0f" }}',
            "dashboard_url": _dashboard(params, PIPELINE_DASHBOARD_PATH),
            "runbook_url": runbook_url(params, RUNBOOK_ANCHOR_ONCALL_FAILED),
        },
    }


def render_rules(params: RuleParameters) -> dict[str, Any]:
    """The rule-file document: one group per concern.

    Recording rules and the alerts that read them share a group on purpose: rules in a
    group run in order within one evaluation, so the alerts always see this evaluation's
    recorded values, never the previous one's.
    """
    return {
        "groups": [
            {
                "name": SATISFACTION_GROUP,
                "rules": [
                    *recording_rules(params.z),
                    silent_expected_rule(params),
                    warning_alert(params),
                    page_alert(params),
                    no_ratings_alert(params),
                ],
            },
            {"name": NETWORK_GROUP, "rules": [*burn_rate_rules(params.error_budget), *burn_rate_alerts(params)]},
            {
                "name": PIPELINE_GROUP,
                "rules": [
                    *pipeline_recording_rules(),
                    worker_down_alert(params),
                    sentiment_down_alert(params),
                    consumer_lag_alert(params),
                    deadletter_alert(params),
                    sentiment_backlog_alert(params),
                    oncall_failed_alert(params),
                ],
            },
        ]
    }


RULES_HEADER = (
    "GENERATED by monitoring/rules.py ({profile} profile); edit the renderer, not this file.\n"
    "Regenerate the shipped copy with: python -m monitoring.shipped"
)


def render_rules_yaml(params: RuleParameters, profile_label: str) -> str:
    return dump_yaml(render_rules(params), header=RULES_HEADER.format(profile=profile_label))
