"""Replay scenarios from a file (the contract's format, ``../shared/CONTRACT.md``), and the
``--json`` output: every firing of the shipped alert rules. Pure: text in, objects out.

```yaml
seed: 7
days: 60
centers:                      # need not be in the registry
  - center_id: c-700
    ratings_per_day: 700      # spread over the center's opening hours (default Mon-Sat 09:00-18:00)
    satisfaction: 0.99        # the share of ratings of 4 or 5
    changes:                  # optional: from this many days after the start
      - {after_days: 30, satisfaction: 0.97}
```

Optional keys: ``start`` (a UTC midnight, ISO-8601; default 2026-10-01), ``step_minutes``
(the export and evaluation step, default 5, at most the shortest burn window), and per center ``target``, ``region``,
``opening_hours``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dost_contract.centers import Center, CenterKind
from monitoring.replay.timeline import DAY_SECONDS, Timeline

DEFAULT_START = datetime(2026, 10, 1, tzinfo=timezone.utc)


class Change(BaseModel):
    model_config = ConfigDict(extra="forbid")
    after_days: float = Field(gt=0)
    satisfaction: float = Field(ge=0, le=1)


class ScenarioCenter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    center_id: str
    ratings_per_day: int = Field(ge=1)
    satisfaction: float = Field(ge=0, le=1)
    changes: list[Change] = []
    target: float = Field(0.985, gt=0, lt=1)
    region: str = "scenario"
    opening_hours: str = "Mon-Sat 09:00-18:00"


class ScenarioDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seed: int
    days: int = Field(ge=1, le=400)
    centers: list[ScenarioCenter] = Field(min_length=1)
    start: datetime = DEFAULT_START
    step_minutes: int = Field(5, ge=1, le=5)  # <= the shortest burn-rate window (5m)

    @model_validator(mode="after")
    def _consistent(self) -> ScenarioDocument:
        ids = [c.center_id for c in self.centers]
        if len(set(ids)) != len(ids):
            raise ValueError("center_id values must be unique")
        if 60 % self.step_minutes:
            raise ValueError("step_minutes must divide an hour")
        if self.start.tzinfo is None or self.start.timestamp() % DAY_SECONDS:
            raise ValueError("start must be a UTC midnight")
        for c in self.centers:
            for change in c.changes:
                if change.after_days >= self.days:
                    raise ValueError(f"{c.center_id}: a change after {change.after_days} days falls outside {self.days} days")
        return self


class ScenarioError(ValueError):
    """A scenario file that cannot be replayed, with what is wrong in it."""


@dataclass(frozen=True)
class FileScenario:
    """A scenario file, with the interface ``monitoring.replay.timeline.build_timeline`` reads."""

    seed: int
    days: int
    start: datetime
    step_seconds: int
    schedules: dict[str, tuple[tuple[float, float], ...]]  # center -> ((from epoch, satisfaction), ...)
    timezone_name: str = "Asia/Baku"
    ratings_per_visitor: float = 1.0
    degraded_center: str | None = None
    fixed_satisfaction: tuple[tuple[str, float], ...] = field(default=())

    @property
    def start_epoch(self) -> int:
        return int(self.start.timestamp())

    @property
    def end_epoch(self) -> int:
        return self.start_epoch + self.days * DAY_SECONDS

    def satisfaction(self, center_id: str, epoch: float) -> float:
        current = self.schedules[center_id][0][1]
        for since, value in self.schedules[center_id]:
            if epoch >= since:
                current = value
        return current

    def check_centers(self, centers: Sequence[Center]) -> None:
        missing = {c.center_id for c in centers} - set(self.schedules)
        if missing:
            raise ValueError(f"centers without a satisfaction schedule in the scenario: {sorted(missing)}")

    def role(self, center_id: str) -> str:
        steps = self.schedules[center_id]
        return ", then ".join(f"{value:.1%}" for _, value in steps)


def parse_scenario(text: str) -> tuple[FileScenario, list[Center]]:
    """The scenario and its centers, or ``ScenarioError`` naming every problem."""
    try:
        document = ScenarioDocument.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"not YAML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'scenario'}: {e['msg']}" for e in exc.errors())
        raise ScenarioError(f"bad scenario: {problems}") from exc
    start = int(document.start.timestamp())
    centers, schedules = [], {}
    for c in document.centers:
        try:
            centers.append(Center(center_id=c.center_id, name={"az": c.center_id, "en": c.center_id}, region=c.region,
                                  kind=CenterKind.BRANCH, target=c.target, daily_visitors=c.ratings_per_day,
                                  opening_hours=c.opening_hours))
        except ValidationError as exc:
            raise ScenarioError(f"bad center {c.center_id!r}: {exc.errors()[0]['msg']}") from exc
        changes = sorted(c.changes, key=lambda change: change.after_days)
        schedules[c.center_id] = ((float(start), c.satisfaction),) + tuple(
            (start + change.after_days * DAY_SECONDS, change.satisfaction) for change in changes)
    scenario = FileScenario(document.seed, document.days, document.start, document.step_minutes * 60, schedules)
    return scenario, centers


def _iso(epoch: int | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc).isoformat().replace("+00:00", "Z")


def alerts_json(timeline: Timeline) -> dict[str, Any]:
    """``{"start", "alerts": [{alertname, severity, center_id, fired_at, resolved_at}]}``: every firing."""
    fired = sorted((e for e in timeline.episodes if e.fired_at is not None),
                   key=lambda e: (e.fired_at, e.alertname, sorted(e.labels.items())))
    return {
        "start": _iso(timeline.scenario.start_epoch),
        "alerts": [
            {"alertname": e.alertname, "severity": e.severity, "center_id": e.labels.get("center_id"),
             "fired_at": _iso(e.fired_at), "resolved_at": _iso(e.resolved_at)}
            for e in fired
        ],
    }


def render_json(timeline: Timeline) -> str:
    return json.dumps(alerts_json(timeline), indent=2) + "\n"


def render_markdown(timeline: Timeline, verified: Sequence[tuple[str, bool, int]], command: str) -> str:
    """A short report: the centers, the promtool verdicts, every firing."""
    s = timeline.scenario
    lines = [f"# Replay of a scenario file ({s.days} days, seed {s.seed})", "",
             f"GENERATED by `{command}`; times are UTC.", "",
             "| center | ratings/day | satisfaction | ratings | pages | warnings |", "|---|---:|---|---:|---:|---:|"]
    fired = [e for e in timeline.episodes if e.fired_at is not None]
    for x in timeline.series:
        c = x.center.center_id
        count = {sev: sum(1 for e in fired if e.labels.get("center_id") == c and e.severity == sev)
                 for sev in ("page", "warning")}
        lines.append(f"| {c} | {x.center.daily_visitors} | {s.role(c)} | {x.ratings:,} | {count['page']} "
                     f"| {count['warning']} |")
    lines += ["", *(f"- promtool, {what}: **{'passed' if ok else 'FAILED'}** ({checks:,} checks)"
                    for what, ok, checks in verified), "", "| alert | severity | center | fired | resolved |",
              "|---|---|---|---|---|"]
    for a in alerts_json(timeline)["alerts"]:
        lines.append(f"| {a['alertname']} | {a['severity']} | {a['center_id'] or 'network'} | {a['fired_at']} "
                     f"| {a['resolved_at'] or 'still firing'} |")
    return "\n".join(lines) + "\n"
