"""The center satisfaction group: per-center recording rules, the Wilson bounds, and the
alerts on them (``CenterSatisfactionBelowTarget`` warning and page, ``CenterNoRatingsWhileOpen``).

Recording rules (labels ``center_id``, ``window``; the target only ``center_id``):

- ``dost:center_ratings:max``, ``dost:center_satisfied:max``, ``dost:center_satisfaction:ratio``,
  ``dost:center_satisfaction_target:max``: the worker gauges, reduced with ``max by`` so
  that several worker instances (or a stale series left by one) yield one series per
  center and window and the alert joins below stay one-to-one.
- ``dost:center_satisfaction_wilson_upper:ratio`` / ``..._wilson_lower:ratio``: the 95% Wilson
  score interval of satisfied / ratings (see ``monitoring.alerting.wilson``).
- ``dost:center_info:max``, ``dost:center_open:max``, ``dost:center_ratings_per_open_hour:7d``,
  ``dost:center_silent_expected_ratings:max``: registry info, opening hours, usual volume
  and the evidence of a silent open center.
- ``dost:network_{ratings,satisfied}:sum`` / ``dost:network_satisfaction:ratio{window}``:
  network totals from the center gauges.

Alerts (center alerts carry ``center_id`` and ``region``):

- ``CenterSatisfactionBelowTarget{severity="page"}``: a change detector
  (``dost_contract.change_detection``, computed by the worker) has reached its page level:
  ``dost:center_change_evidence:ratio`` (score / page level) >= 1 for any detector, with at
  least ``min_ratings`` ratings in the 30d window, touched within ``detector_hold`` (the
  current hour's bucket is still filling; ``dost_contract.change_detection.TOUCH_HOLD``). It
  resolves ``detector_hold`` after the worker's latch clears (the score back at the reset level).
- ``CenterSatisfactionBelowTarget{severity="warning"}``: the small-drop detector's score at
  its warning level (early evidence for managers; not routed to the on-call SMS).
- ``CenterNoRatingsWhileOpen``: an open center silent for longer than chance explains.
"""

from __future__ import annotations

from typing import Any

from dost_contract import metric_names as series
from monitoring.alerting.parameters import WARNING_WINDOW, RuleParameters, duration_seconds
from monitoring.alerting.promql import (
    NO_DECIMALS,
    ONE_DECIMAL,
    RATIO_DECIMAL,
    alert,
    center_dashboard_url,
    format_number,
    query_template,
    runbook_url,
    with_region,
)
from monitoring.alerting.wilson import Z_95
from monitoring.names import (
    CENTER_CHANGE_EVIDENCE,
    CENTER_CHANGE_RATINGS,
    CENTER_CHANGE_SCORE,
    CENTER_CHANGE_SINCE,
    CENTER_CHANGE_UNSATISFIED,
    CENTER_INFO,
    CENTER_OPEN,
    CENTER_RATINGS,
    CENTER_RATINGS_PER_OPEN_HOUR,
    CENTER_SATISFACTION_RATIO,
    CENTER_SATISFACTION_TARGET,
    CENTER_SATISFIED,
    CENTER_SILENT_EXPECTED,
    CENTER_WILSON_LOWER,
    CENTER_WILSON_UPPER,
    NETWORK_RATINGS,
    NETWORK_SATISFACTION_RATIO,
    NETWORK_SATISFIED,
    NO_RATINGS_ALERT,
    RUNBOOK_ANCHOR_NO_RATINGS,
    RUNBOOK_ANCHOR_PAGE,
    RUNBOOK_ANCHOR_WARNING,
    SATISFACTION_ALERT,
    SATISFACTION_GROUP,
)

# --- recording rules --------------------------------------------------------------------


def wilson_bound_expr(bound: str, z: float = Z_95) -> str:
    """PromQL for the Wilson bound ("upper" or "lower") from the recorded counts.

    Count form of the Wilson score interval (``monitoring.alerting.wilson`` derives it):
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


GUARD_WINDOW = "30d"  # the volume guard: a page needs min_ratings ratings in this window


def detector_recording_rules(params: RuleParameters) -> list[dict[str, Any]]:
    """The detector gauges, one series per center and detector, and score / page level."""
    by = "max by (center_id, detector)"
    evidence = "\nor\n".join(
        f'  {CENTER_CHANGE_SCORE}{{detector="{spec.name}"}} / {spec.page_points}' for spec in params.detectors
    )
    return [
        {"record": CENTER_CHANGE_SCORE, "expr": f"{by} ({series.CENTER_CHANGE_SCORE})"},
        {"record": CENTER_CHANGE_SINCE, "expr": f"{by} ({series.CENTER_CHANGE_SINCE})"},
        {"record": CENTER_CHANGE_RATINGS, "expr": f"{by} ({series.CENTER_CHANGE_RATINGS})"},
        {"record": CENTER_CHANGE_UNSATISFIED, "expr": f"{by} ({series.CENTER_CHANGE_UNSATISFIED})"},
        {"record": CENTER_CHANGE_EVIDENCE, "expr": evidence},
    ]


def recording_rules(z: float = Z_95) -> list[dict[str, Any]]:
    """Per-center rules (and the network totals summed from them)."""
    by_center_window = "max by (center_id, window)"
    return [
        {"record": CENTER_RATINGS, "expr": f"{by_center_window} ({series.CENTER_RATINGS})"},
        {"record": CENTER_SATISFIED, "expr": f"{by_center_window} ({series.CENTER_SATISFIED})"},
        {"record": CENTER_SATISFACTION_RATIO, "expr": f"{by_center_window} ({series.CENTER_SATISFACTION_RATIO})"},
        {"record": CENTER_SATISFACTION_TARGET, "expr": f"max by (center_id) ({series.CENTER_SATISFACTION_TARGET})"},
        {"record": CENTER_WILSON_UPPER, "expr": wilson_bound_expr("upper", z)},
        {"record": CENTER_WILSON_LOWER, "expr": wilson_bound_expr("lower", z)},
        {"record": CENTER_INFO, "expr": f"max by (center_id, region, kind) ({series.CENTER_INFO})"},
        {"record": CENTER_OPEN, "expr": f"max by (center_id) ({series.CENTER_OPEN})"},
        {
            # The center's usual volume: ratings in the last 7 days per hour it was open.
            "record": CENTER_RATINGS_PER_OPEN_HOUR,
            "expr": (
                f'  max without (window) ({CENTER_RATINGS}{{window="7d"}})\n'
                f"/ on (center_id)\n"
                f"  (max by (center_id) ({series.CENTER_OPEN_HOURS_PER_WEEK}) > 0)"
            ),
        },
        {"record": NETWORK_RATINGS, "expr": f"sum by (window) ({CENTER_RATINGS})"},
        {"record": NETWORK_SATISFIED, "expr": f"sum by (window) ({CENTER_SATISFIED})"},
        {"record": NETWORK_SATISFACTION_RATIO, "expr": f"{NETWORK_SATISFIED} / ({NETWORK_RATINGS} > 0)"},
    ]


def silent_expected_rule(params: RuleParameters) -> dict[str, Any]:
    """How many ratings the center would usually have had during its current silence.

    For each lookback L: if not one rating arrived in L (the current-hour count stayed 0
    throughout L), the expected number is the center's ratings per open hour times the
    hours it was open in L. The record is the largest over the silent lookbacks: the
    strongest evidence. Absent when the center had a rating in even the shortest lookback.
    """
    step_hours = duration_seconds(params.timings.prometheus_evaluation_interval) / 3600
    parts = []
    for lookback in params.timings.alert_no_ratings_lookbacks:
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


# --- alerts -----------------------------------------------------------------------------


def _detector_value(metric: str, value_format: str, render: str | None = None, plus: str = "") -> str:
    """Go template: ``metric`` of the detector with the most evidence for this alert's center
    (``plus``: PromQL added to it, e.g. `` + 14400``)."""
    render = render or f"{{{{ . | first | value | {value_format} }}}}"
    return (
        f"{{{{ with printf `topk(1, {CENTER_CHANGE_EVIDENCE}{{center_id=\"%s\"}})` $labels.center_id | query }}}}"
        f"{{{{ with printf `{metric}{{center_id=\"%s\",detector=\"%s\"}}{plus}` $labels.center_id"
        f" (index . 0).Labels.detector | query }}}}{render}{{{{ end }}}}{{{{ end }}}}"
    )


def _unhappy_percent() -> str:
    return (
        f"{{{{ with printf `topk(1, {CENTER_CHANGE_EVIDENCE}{{center_id=\"%s\"}})` $labels.center_id | query }}}}"
        f"{{{{ with printf `100 * {CENTER_CHANGE_UNSATISFIED}{{center_id=\"%s\",detector=\"%s\"}}"
        f" / {CENTER_CHANGE_RATINGS}{{center_id=\"%s\",detector=\"%s\"}}` $labels.center_id (index . 0).Labels.detector"
        f" $labels.center_id (index . 0).Labels.detector | query }}}}{{{{ . | first | value | printf \"%.1f%%\" }}}}"
        f"{{{{ end }}}}{{{{ end }}}}"
    )


def evidence_sentence(params: RuleParameters) -> str:
    """"since Tue 18:00 Baku time, 31 unhappy ratings of 1150 (2.7%); target allows 1.5%"."""
    clock = params.clock
    # toTime formats in UTC: the centers' (fixed) offset is added to the timestamp first.
    render = f'{{{{ (. | first | value | toTime).Format "Mon 15:04 {clock.label}" }}}}'
    since = _detector_value(CENTER_CHANGE_SINCE, "", render,
                            plus=f" + {clock.offset_seconds}" if clock.offset_seconds else "")
    unhappy = _detector_value(CENTER_CHANGE_UNSATISFIED, NO_DECIMALS)
    ratings = _detector_value(CENTER_CHANGE_RATINGS, NO_DECIMALS)
    allows = (
        f"{{{{ with printf `100 * (1 - {CENTER_SATISFACTION_TARGET}{{center_id=\"%s\"}})` $labels.center_id | query }}}}"
        f"{{{{ . | first | value | printf \"%.1f%%\" }}}}{{{{ end }}}}"
    )
    return f"since {since}, {unhappy} unhappy ratings of {ratings} ({_unhappy_percent()}); target allows {allows}"


def _day_value(metric: str, value_format: str) -> str:
    """Go template: ``metric`` of this alert's center in the 24h window (the alerts carry no window)."""
    return (
        f"{{{{ with printf `{metric}{{center_id=\"%s\",window=\"{WARNING_WINDOW}\"}}` $labels.center_id | query }}}}"
        f"{{{{ . | first | value | {value_format} }}}}{{{{ end }}}}"
    )


def _satisfaction_annotations(params: RuleParameters, runbook_anchor: str, summary: str, description: str) -> dict[str, str]:
    return {
        "summary": summary,
        "description": description,
        "evidence_short": evidence_sentence(params),
        "ratio": _day_value(CENTER_SATISFACTION_RATIO, RATIO_DECIMAL),
        "count": _day_value(CENTER_RATINGS, NO_DECIMALS),
        "target": query_template(CENTER_SATISFACTION_TARGET, ("center_id",), RATIO_DECIMAL),
        "dashboard_url": center_dashboard_url(params),
        "runbook_url": runbook_url(params, runbook_anchor),
    }


def _volume_guard(params: RuleParameters) -> str:
    return (
        f"# ... with a few ratings behind it (a brand-new center's first unhappy handful is not a trend)\n"
        f"and on (center_id)\n"
        f'  {CENTER_RATINGS}{{window="{GUARD_WINDOW}"}} >= {params.min_ratings}'
    )


def warning_points(params: RuleParameters) -> tuple[str, int]:
    [spec] = [s for s in params.detectors if s.warning_points is not None]
    return spec.name, spec.warning_points  # type: ignore[return-value]


def warning_alert(params: RuleParameters) -> dict[str, Any]:
    # Early evidence for managers: the small-drop detector halfway to its page level.
    detector, points = warning_points(params)
    expr = (
        f"# the small-drop detector has early evidence of a drop ...\n"
        f'  max by (center_id) (max_over_time({CENTER_CHANGE_SCORE}{{detector="{detector}"}}[{params.detector_hold}]))'
        f" >= {points}\n"
        f"{_volume_guard(params)}"
    )
    return alert(
        SATISFACTION_ALERT,
        with_region(expr),
        hold=params.timings.alert_warning_for,
        severity="warning",
        annotations=_satisfaction_annotations(
            params,
            RUNBOOK_ANCHOR_WARNING,
            summary="DOST center {{ $labels.center_id }}: early evidence that satisfaction is slipping below target",
            description=f"Early evidence, not yet a page: {evidence_sentence(params)}.",
        ),
    )


def page_alert(params: RuleParameters) -> dict[str, Any]:
    # A change detector reached its page level: its thresholds hold false pages at target to
    # under one per 5 center-years (docs/alerting.md). The worker latches it until the
    # score is back at the reset level, so the page resolves only once the center is back.
    expr = (
        f"# a change detector has reached its page level ...\n"
        f"  max by (center_id) (max_over_time({CENTER_CHANGE_EVIDENCE}[{params.detector_hold}])) >= 1\n"
        f"{_volume_guard(params)}"
    )
    return alert(
        SATISFACTION_ALERT,
        with_region(expr),
        hold=params.timings.alert_page_for,
        severity="page",
        annotations=_satisfaction_annotations(
            params,
            RUNBOOK_ANCHOR_PAGE,
            summary="DOST center {{ $labels.center_id }} has fallen below its satisfaction target",
            description=f"{evidence_sentence(params)}. That many unhappy ratings are not chance: the center is below target.",
        ),
    )


def no_ratings_alert(params: RuleParameters) -> dict[str, Any]:
    minimum = format_number(params.no_ratings_min_expected)
    lookbacks = ", ".join(params.timings.alert_no_ratings_lookbacks)
    expr = (
        f"# silent for so long that its usual volume makes chance implausible (P(0) = e^-expected) ...\n"
        f"  {CENTER_SILENT_EXPECTED} >= {minimum}\n"
        f"# ... and open right now\n"
        f"and on (center_id)\n"
        f"  {CENTER_OPEN} == 1"
    )
    per_hour = query_template(CENTER_RATINGS_PER_OPEN_HOUR, ("center_id",), ONE_DECIMAL)
    return alert(
        NO_RATINGS_ALERT,
        with_region(expr),
        hold=params.timings.alert_no_ratings_for,
        severity="warning",
        annotations={
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
    )


def center_group(params: RuleParameters) -> dict[str, Any]:
    return {
        "name": SATISFACTION_GROUP,
        "rules": [
            *recording_rules(params.z),
            *detector_recording_rules(params),
            silent_expected_rule(params),
            warning_alert(params),
            page_alert(params),
            no_ratings_alert(params),
        ],
    }
