"""promtool unit tests that check the replay's alert timeline against the real rules.

Pure renderers (timeline in, promtool test document out) plus one thin runner.

- **Center alerts** (``center_test_document``): the rendered rule group of the center
  alerts (``satisfaction_rules_document``), a set of centers'
  exported gauges as input series on the replay's step, and, at every hour and around
  every predicted transition, the exact set of ``ALERTS{alertname="CenterSatisfactionBelowTarget"}``
  series (pending and firing, all labels) the Python timeline predicts. promtool runs
  the real rules with their ``for:`` durations over all 30 days; any difference fails.
- **Network burn rates** (``network_test_document``): evaluating the burn-rate rules over
  30 days of per-center counters costs promtool minutes (every evaluation re-reads up to
  3 days of samples of every counter), so this document has no rule evaluation; it
  evaluates the rendered recording rules' own expressions (``dost:network_burn_rate:ratio``
  and ``dost:network_ratings:increase`` for every window) every 6 hours (the CLI's choice)
  and around every predicted burn-alert transition, and compares them with the timeline's values. The
  burn alert's state machine on top of those values is the Python timeline's.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from dost_contract import metric_names as series
from monitoring import names
from monitoring.alerting.parameters import WINDOWS
from monitoring.replay.timeline import Timeline, burn_rate, duration_seconds, network_increase

WORKER_LABELS = {"job": names.WORKER_JOB, "instance": "replay-worker:9101"}
HOUR = 3600


def encode_values(values: Sequence[float | int | None]) -> str:
    """promtool's expanding notation, run-length encoded.

    Mind the asymmetry: ``'5x3'`` is FOUR samples of 5 (5, 5+0, 5+0, 5+0), but ``'_x3'``
    is THREE steps with no sample (the gauge is absent, as when a window is empty).
    """
    parts, i = [], 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        run = j - i + 1
        if values[i] is None:
            parts.append(f"_x{run}" if run > 1 else "_")
        else:
            parts.append(f"{values[i]!r}x{run - 1}" if run > 1 else repr(values[i]))
        i = j + 1
    return " ".join(parts)


def series_name(metric: str, labels: dict[str, str]) -> str:
    return metric + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def _eval_time(timeline: Timeline, epoch: int) -> str:
    return f"{(epoch - timeline.steps[0]) // 60}m"


def check_times(
    timeline: Timeline, alertname: str, every_seconds: int = HOUR, centers: set[str] | None = None
) -> list[int]:
    """Every ``every_seconds`` plus each predicted transition and the step before it."""
    step = timeline.scenario.step_seconds
    times = set(timeline.steps[:: every_seconds // step])
    for episode in timeline.episodes:
        if episode.alertname != alertname:
            continue
        if centers is not None and episode.labels.get("center_id") not in centers:
            continue
        for moment in (episode.pending_at, episode.fired_at, episode.resolved_at):
            if moment is not None:
                times.update({moment, moment - step})
    first, last = timeline.steps[0], timeline.steps[-1]
    return sorted(t for t in times if first <= t <= last)


def center_input_series(timeline: Timeline, windows: Iterable[str], centers: set[str]) -> list[dict[str, str]]:
    out = []
    for s in timeline.series:
        if s.center.center_id not in centers:
            continue
        center = s.center
        base = {"center_id": center.center_id, **WORKER_LABELS}
        for window in windows:
            labels = {**base, "window": window}
            values = s.windows[window]
            out += [
                {"series": series_name(series.CENTER_RATINGS, labels), "values": encode_values([r for r, _ in values])},
                {"series": series_name(series.CENTER_SATISFIED, labels), "values": encode_values([v for _, v in values])},
                {
                    "series": series_name(series.CENTER_SATISFACTION_RATIO, labels),
                    "values": encode_values([v / r if r else None for r, v in values]),
                },
            ]
        for detector, readings in s.detectors.items():
            out.append({"series": series_name(series.CENTER_CHANGE_SCORE, {**base, "detector": detector}),
                        "values": encode_values([r.score for r in readings])})
        n = len(timeline.steps) - 1
        out += [
            {"series": series_name(series.CENTER_SATISFACTION_TARGET, base), "values": f"{center.target!r}x{n}"},
            {
                "series": series_name(
                    series.CENTER_INFO, {**base, "region": center.region, "kind": center.kind.value}
                ),
                "values": f"1x{n}",
            },
        ]
    return out


def expected_alerts(timeline: Timeline, alertname: str, t: int, centers: set[str]) -> list[dict[str, Any]]:
    samples = []
    for episode in timeline.episodes:
        if episode.alertname != alertname or episode.labels.get("center_id") not in centers:
            continue
        state = episode.state_at(t)
        if state:
            labels = {"alertname": alertname, "alertstate": state, **episode.labels}
            samples.append({"labels": series_name("ALERTS", dict(sorted(labels.items()))), "value": 1})
    return sorted(samples, key=lambda s: s["labels"])


def center_test_document(
    timeline: Timeline, rules_file: Path, centers: Iterable[str], windows: Sequence[str] = WINDOWS
) -> dict[str, Any]:
    """The center alerts of ``centers``: only their series are input, so the expected
    ALERTS set is exactly theirs."""
    centers = set(centers)
    step = f"{timeline.scenario.step_seconds // 60}m"
    alertname = names.SATISFACTION_ALERT
    checks = [
        {
            "expr": f'ALERTS{{alertname="{alertname}"}}',
            "eval_time": _eval_time(timeline, t),
            "exp_samples": expected_alerts(timeline, alertname, t, centers),
        }
        for t in check_times(timeline, alertname, centers=centers)
    ]
    return {
        "rule_files": [str(rules_file)],
        "evaluation_interval": step,
        "tests": [
            {
                "name": f"replay seed {timeline.scenario.seed}: {alertname} for {', '.join(sorted(centers))}",
                "interval": step,
                "input_series": center_input_series(timeline, windows, centers),
                "promql_expr_test": checks,
            }
        ],
    }


def recording_expressions(rules_document: dict, record: str) -> dict[str, str]:
    """window -> expr of the recording rule ``record`` in a rendered rule document."""
    return {
        rule["labels"]["window"]: rule["expr"]
        for group in rules_document["groups"]
        for rule in group["rules"]
        if rule.get("record") == record
    }


def network_test_document(timeline: Timeline, rules_document: dict, every_seconds: int = HOUR) -> dict[str, Any]:
    step_seconds = timeline.scenario.step_seconds
    burn_exprs = recording_expressions(rules_document, names.NETWORK_BURN_RATE)
    rated_exprs = recording_expressions(rules_document, names.NETWORK_RATED)
    input_series = [
        {
            "series": series_name(
                series.FEEDBACK_RATINGS_TOTAL,
                {"center_id": s.center.center_id, "channel": channel, "rating": rating, **WORKER_LABELS},
            ),
            "values": encode_values(values),
        }
        for s in timeline.series
        for (channel, rating), values in s.counters.items()
    ]
    checks = []
    for t in check_times(timeline, names.BURN_ALERT, every_seconds):
        k = timeline.step_index(t)
        for window, expr in burn_exprs.items():
            window_steps = duration_seconds(window) // step_seconds
            expected = burn_rate(timeline.counts, k, window_steps, timeline.params.error_budget)
            checks.append(_value_check(expr, expected, _eval_time(timeline, t)))
            rated = float(network_increase(timeline.counts.all, k, window_steps)) if k else None
            checks.append(_value_check(rated_exprs[window], rated, _eval_time(timeline, t)))
    step = f"{step_seconds // 60}m"
    return {
        "rule_files": [],
        "evaluation_interval": step,
        "tests": [
            {
                "name": f"replay seed {timeline.scenario.seed}: network burn rates",
                "interval": step,
                "input_series": input_series,
                "promql_expr_test": checks,
            }
        ],
    }


def _value_check(expr: str, expected: float | None, eval_time: str) -> dict[str, Any]:
    if expected is None:
        return {"expr": expr, "eval_time": eval_time, "exp_samples": []}
    return {
        "expr": f"abs(({expr}) - {expected!r}) < bool 1e-9",
        "eval_time": eval_time,
        "exp_samples": [{"labels": "{}", "value": 1}],
    }


def write_yaml(path: Path, document: dict) -> Path:
    path.write_text(yaml.safe_dump(document, width=10**9, sort_keys=False), encoding="utf-8")
    return path


@dataclass(frozen=True)
class PromtoolResult:
    passed: bool
    output: str
    command: list[str]


@dataclass(frozen=True)
class Verified:
    what: str
    result: PromtoolResult
    checks: int
    seconds: float


def satisfaction_rules_document(rules_document: dict) -> dict:
    """The center alerts (``CenterSatisfactionBelowTarget``) and every recording rule they read,
    directly or through other records, verbatim and in their order.

    promtool evaluates every rule at every step; the rules no center alert reads (the network
    and pipeline groups, the Wilson bounds, the silent-center evidence) cannot change one but
    cost most of the evaluation time over weeks of steps.
    """
    [group] = [g for g in rules_document["groups"] if g["name"] == names.SATISFACTION_GROUP]
    needed = [r for r in group["rules"] if r.get("alert") == names.SATISFACTION_ALERT]
    records = {r["record"]: r for r in group["rules"] if "record" in r}
    wanted: set[str] = set()
    frontier = [r["expr"] for r in needed]
    while frontier:
        expr = frontier.pop()
        for name, rule in records.items():
            if name not in wanted and re.search(rf"(?<![\w:]){re.escape(name)}(?![\w:])", expr):
                wanted.add(name)
                frontier.append(rule["expr"])
    rules = [r for r in group["rules"] if r.get("record") in wanted or r in needed]
    return {"groups": [{**group, "rules": rules}]}


def verify_timeline(
    timeline: Timeline,
    rules_document: dict,
    workdir: Path,
    promtool: str,
    centers: Sequence[str] | None = None,
    centers_per_process: int = 2,
    network: bool = True,
    network_every_seconds: int = 6 * HOUR,
) -> list[Verified]:
    """Write the promtool test files under ``workdir`` and run them side by side.

    ``centers`` (default: all) are checked in groups of ``centers_per_process``, one
    promtool process per group (one core each).
    """
    centers = list(centers or [s.center.center_id for s in timeline.series])
    rules_file = write_yaml(workdir / "replay_satisfaction.rules.yml", satisfaction_rules_document(rules_document))
    documents = {}
    for i in range(0, len(centers), centers_per_process):
        chunk = centers[i : i + centers_per_process]
        documents[f"center alerts of {', '.join(chunk)}"] = (
            f"replay_center_test_{i // centers_per_process}.yml",
            center_test_document(timeline, rules_file, chunk, ("24h", "30d")),
        )
    if network:
        documents["network burn rates"] = (
            "replay_network_test.yml", network_test_document(timeline, rules_document, network_every_seconds))
    started = time.monotonic()
    processes, checks, logs = {}, {}, {}
    for what, (name, document) in documents.items():
        path = write_yaml(workdir / name, document)
        checks[what] = len(document["tests"][0]["promql_expr_test"])
        logs[what] = path.with_suffix(".out")
        with logs[what].open("w") as log:  # a file, not a pipe: a long failure report cannot block
            processes[what] = subprocess.Popen([promtool, "test", "rules", str(path)], stdout=log,
                                               stderr=subprocess.STDOUT, text=True)
    finished: dict[str, float] = {}
    while len(finished) < len(processes):
        for what, process in processes.items():
            if what not in finished and process.poll() is not None:
                finished[what] = time.monotonic() - started
        time.sleep(0.2)
    verified = []
    for what, process in processes.items():
        output = logs[what].read_text(encoding="utf-8", errors="replace")
        result = PromtoolResult(process.returncode == 0, output, list(process.args))
        verified.append(Verified(what, result, checks[what], finished[what]))
    return verified
