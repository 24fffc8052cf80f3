"""The pieces every rule group builds from: PromQL selectors and joins, Go-template
annotations, links, and ``alert()``, the one shape of an alerting rule. Pure."""

from __future__ import annotations

from typing import Any

from monitoring.alerting.parameters import RuleParameters
from monitoring.names import CENTER_DASHBOARD, CENTER_INFO, CENTER_RATINGS, CENTER_SATISFACTION_TARGET, Dashboard

# Value formats for the Go templates of annotations.
RATIO_DECIMAL = 'printf "%.4f"'
ONE_DECIMAL = 'printf "%.1f"'
NO_DECIMALS = 'printf "%.0f"'
PERCENT = "humanizePercentage"


def alert(name: str, expr: str, *, severity: str, annotations: dict[str, str], hold: str | None = None,
          labels: dict[str, str] | None = None) -> dict[str, Any]:
    """An alerting rule: ``hold`` is its ``for:`` (None: fire at the first evaluation)."""
    rule: dict[str, Any] = {"alert": name, "expr": expr}
    if hold is not None:
        rule["for"] = hold
    rule["labels"] = {"severity": severity, **(labels or {})}
    rule["annotations"] = annotations
    return rule


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
    center. A center without the info gauge (an older worker, a stand-in exporter) still
    alerts, without a region, rather than going silent.
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


def query_template(metric: str, labels: tuple[str, ...], value_format: str) -> str:
    """Go template that looks up ``metric`` for this alert's labels and formats its value."""
    selector = ",".join(f'{label}="%s"' for label in labels)
    arguments = " ".join(f"$labels.{label}" for label in labels)
    return (
        f"{{{{ with printf `{metric}{{{selector}}}` {arguments} | query }}}}"
        f"{{{{ . | first | value | {value_format} }}}}{{{{ end }}}}"
    )


def center_window_value(metric: str, value_format: str) -> str:
    return query_template(metric, ("center_id", "window"), value_format)


def scalar_value(expr: str, value_format: str) -> str:
    """Go template: the value of a label-free PromQL ``expr``, formatted ("n/a" when absent)."""
    return f"{{{{ with query `{expr}` }}}}{{{{ . | first | value | {value_format} }}}}{{{{ else }}}}n/a{{{{ end }}}}"


def format_number(value: float) -> str:
    return f"{value:g}"


def runbook_url(params: RuleParameters, anchor: str) -> str:
    return f"{params.runbook_base_url}#{anchor}"


def dashboard_url(params: RuleParameters, dashboard: Dashboard) -> str:
    return f"{params.dashboard_base_url.rstrip('/')}{dashboard.path}"


def center_dashboard_url(params: RuleParameters) -> str:
    """The center drill-down dashboard for the alert's center (a Go template)."""
    return f"{dashboard_url(params, CENTER_DASHBOARD)}?var-center_id={{{{ $labels.center_id }}}}"
