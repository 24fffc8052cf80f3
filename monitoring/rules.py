"""Prometheus recording and alerting rules for center satisfaction, rendered from parameters.

Everything here is pure: parameters in, a rule-file document (a dict) or its YAML out.
The committed ``monitoring/prometheus/rules/satisfaction.rules.yml`` is this module's
"prod" output (``python -m monitoring.shipped`` writes it; a test checks for drift), and
``monitoring.local`` writes the "dev" output for local stacks and tests.

Recording rules (labels ``center_id``, ``window``; the target only ``center_id``):

- ``dost:center_ratings:max``, ``dost:center_satisfied:max``, ``dost:center_satisfaction:ratio``,
  ``dost:center_satisfaction_target:max``: the worker gauges, reduced with ``max by`` so
  that several worker instances (or a stale series left by one) yield one series per
  center and window and the alert joins below stay one-to-one.
- ``dost:center_satisfaction_wilson_upper:ratio`` / ``..._wilson_lower:ratio``: the 95% Wilson
  score interval of satisfied / ratings (see ``monitoring.wilson``).

Alerts:

- ``CenterSatisfactionBelowTarget{severity="warning"}``: the 24h ratio is below the
  center's target, with at least ``min_ratings`` ratings in the window.
- ``CenterSatisfactionBelowTarget{severity="page"}``: in the 24h or 7d window (label
  ``window``), at least ``min_ratings`` ratings and the Wilson upper bound below target.
- ``DostWorkerDown{severity="warning"}``: a stream worker instance is not being scraped.
"""

from __future__ import annotations

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
WORKER_JOB = "dost-worker"

# Recording rule names: level:metric:operation.
CENTER_RATINGS = "dost:center_ratings:max"
CENTER_SATISFIED = "dost:center_satisfied:max"
CENTER_SATISFACTION_RATIO = "dost:center_satisfaction:ratio"
CENTER_SATISFACTION_TARGET = "dost:center_satisfaction_target:max"
CENTER_WILSON_UPPER = "dost:center_satisfaction_wilson_upper:ratio"
CENTER_WILSON_LOWER = "dost:center_satisfaction_wilson_lower:ratio"

SATISFACTION_GROUP = "dost-center-satisfaction"
PIPELINE_GROUP = "dost-pipeline-health"

# Anchors in docs/operations.md (explicit <a id> tags there).
RUNBOOK_ANCHOR_WARNING = "center-satisfaction-warning"
RUNBOOK_ANCHOR_PAGE = "center-satisfaction-page"
RUNBOOK_ANCHOR_WORKER_DOWN = "dost-worker-down"

# The Grafana drill-down dashboard (uid "dost-center") with its center variable.
DASHBOARD_PATH = "/d/dost-center/center-drill-down"


@dataclass(frozen=True)
class RuleParameters:
    min_ratings: int  # fewer ratings than this in a window never alert
    warning_for: str
    page_for: str
    worker_down_for: str
    dashboard_base_url: str  # Grafana base URL, e.g. http://127.0.0.1:3000
    runbook_base_url: str  # the runbook document; anchors are appended
    z: float = Z_95


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
    )


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
    by_center_window = "max by (center_id, window)"
    return [
        {"record": CENTER_RATINGS, "expr": f"{by_center_window} (dost_center_ratings)"},
        {"record": CENTER_SATISFIED, "expr": f"{by_center_window} (dost_center_satisfied)"},
        {"record": CENTER_SATISFACTION_RATIO, "expr": f"{by_center_window} (dost_center_satisfaction_ratio)"},
        {"record": CENTER_SATISFACTION_TARGET, "expr": "max by (center_id) (dost_center_satisfaction_target)"},
        {"record": CENTER_WILSON_UPPER, "expr": wilson_bound_expr("upper", z)},
        {"record": CENTER_WILSON_LOWER, "expr": wilson_bound_expr("lower", z)},
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
PERCENT = "humanizePercentage"


def _satisfaction_annotations(params: RuleParameters, runbook_anchor: str, summary: str, description: str) -> dict[str, str]:
    return {
        "summary": summary,
        "description": description,
        "ratio": _center_window_value(CENTER_SATISFACTION_RATIO, RATIO_DECIMAL),
        "count": _center_window_value(CENTER_RATINGS, 'printf "%.0f"'),
        "wilson_upper": _center_window_value(CENTER_WILSON_UPPER, RATIO_DECIMAL),
        "target": _query_template(CENTER_SATISFACTION_TARGET, ("center_id",), RATIO_DECIMAL),
        "dashboard_url": (
            f"{params.dashboard_base_url.rstrip('/')}{DASHBOARD_PATH}?var-center_id={{{{ $labels.center_id }}}}"
        ),
        "runbook_url": f"{params.runbook_base_url}#{runbook_anchor}",
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
        "expr": below_target_expr(CENTER_SATISFACTION_RATIO, (WARNING_WINDOW,), params.min_ratings),
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
        "expr": below_target_expr(CENTER_WILSON_UPPER, PAGE_WINDOWS, params.min_ratings),
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


def worker_down_alert(params: RuleParameters) -> dict[str, Any]:
    return {
        "alert": WORKER_DOWN_ALERT,
        # While a worker is down its centers' gauges vanish and their alerts resolve.
        "expr": f'up{{job="{WORKER_JOB}"}} == 0',
        "for": params.worker_down_for,
        "labels": {"severity": "warning"},
        "annotations": {
            "summary": "DOST stream worker {{ $labels.instance }} is down",
            "description": (
                "Prometheus cannot scrape {{ $labels.instance }} (job {{ $labels.job }}). "
                "Satisfaction metrics of the centers it owns are missing until another worker "
                "takes over its partitions."
            ),
            "runbook_url": f"{params.runbook_base_url}#{RUNBOOK_ANCHOR_WORKER_DOWN}",
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
                "rules": [*recording_rules(params.z), warning_alert(params), page_alert(params)],
            },
            {"name": PIPELINE_GROUP, "rules": [worker_down_alert(params)]},
        ]
    }


RULES_HEADER = (
    "GENERATED by monitoring/rules.py ({profile} profile); edit the renderer, not this file.\n"
    "Regenerate the shipped copy with: python -m monitoring.shipped"
)


def render_rules_yaml(params: RuleParameters, profile_label: str) -> str:
    return dump_yaml(render_rules(params), header=RULES_HEADER.format(profile=profile_label))
