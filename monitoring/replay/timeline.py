"""A 30-day simulated replay of the seed network through the real windowing code and alert maths.

Pure: a scenario and a seed in, a timeline out; no clocks, files or processes here
(``monitoring.replay.promtool`` checks the timeline with the real ``promtool``,
``monitoring.replay.report`` writes ``docs/replay.md``, ``dost-feedback replay`` runs both).

1. **Ratings.** Every center of the registry receives ratings during its opening hours
   (Asia/Baku), a Poisson process at ``daily_visitors x ratings_per_visitor`` a day
   (``dost_simulation.arrivals``), each rating drawn by ``dost_simulation.ratings.draw_rating``
   at the center's satisfaction of the moment (the degraded center drops from healthy to its
   degraded ratio at ``drop_at``), with channel and service group drawn from the simulator's mixes.
2. **What the workers export**, sampled every ``step_seconds``: the ratings go into the
   real ``streams.scoring.CenterDay`` state and ``streams.scoring.window_tally`` gives the
   center gauges (ratings, satisfied, satisfaction ratio) per window, exactly as the worker
   computes them, and the rating counter's running count per center, channel and rating.
3. **The alert timeline**: the same conditions as the rendered rules
   (``monitoring.alerting``), evaluated at every step with Prometheus' ``for:`` semantics:
   an alert is pending from the first evaluation its condition holds and firing from the
   first evaluation at least ``for`` later; it resolves at the first evaluation where the
   condition is false.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from dost_contract.centers import Center
from dost_simulation.arrivals import CHANNELS, RatingArrival, simulate_arrivals
from monitoring.alerting.center_rules import GUARD_WINDOW, warning_points
from monitoring.alerting.network_rules import BURN_RATE_RULES, BURN_WINDOWS, UNSATISFIED_RATINGS
from monitoring.alerting.parameters import WARNING_WINDOW, RuleParameters
from monitoring.alerting.parameters import duration_seconds as prometheus_duration_seconds
from monitoring.alerting.wilson import wilson_upper
from monitoring.names import BURN_ALERT, SATISFACTION_ALERT
from streams.detector import DetectorReading, DetectorState, hourly_buckets, run_detector
from streams.scoring import (
    DAY_SECONDS,
    HOUR_SECONDS,
    LONGEST_WINDOW_SECONDS,
    WINDOW_SECONDS,
    CenterDay,
    day_start,
    days_in_longest_window,
    window_tally,
)

RATINGS = tuple(str(r) for r in range(1, 6))
UNSATISFIED = set(UNSATISFIED_RATINGS)


@dataclass(frozen=True)
class Scenario:
    """What the replay simulates. Defaults: the scenario of docs/replay.md."""

    seed: int = 20261001
    days: int = 30
    start: datetime = datetime(2026, 10, 1, tzinfo=timezone.utc)  # a UTC midnight (hour-aligned windows)
    step_seconds: int = 300  # export sampling and rule evaluation step
    healthy_satisfaction: float = 0.99  # as `dost-feedback simulate`'s default
    degraded_center: str = "baku-3"
    degraded_satisfaction: float = 0.97
    drop_after_days: float = 12.0  # the drop comes this long after the start (00:00 Asia/Baku on day 13)
    # Low-volume centers with a fixed satisfaction: one perfect, one exactly at target.
    fixed_satisfaction: tuple[tuple[str, float], ...] = (("smart-agali", 1.0), ("karabakh-shusha", 0.985))
    ratings_per_visitor: float = 1.0  # every visitor rates (kiosk at the exit, SMS invitation)
    timezone_name: str = "Asia/Baku"

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.timestamp() % DAY_SECONDS:
            raise ValueError("the replay must start at a UTC midnight (windows are hour- and day-aligned)")
        if self.step_seconds <= 0 or 3600 % self.step_seconds:
            raise ValueError("step_seconds must divide an hour")
        if not 0 < self.drop_after_days < self.days:
            raise ValueError(f"drop_after_days must fall inside the {self.days}-day replay")

    @property
    def start_epoch(self) -> int:
        return int(self.start.timestamp())

    @property
    def drop_epoch(self) -> float:
        # Midnight local time: the whole drop day is degraded.
        local_midnight = self.start.astimezone(ZoneInfo(self.timezone_name)).replace(hour=0, minute=0)
        return (local_midnight + timedelta(days=self.drop_after_days)).timestamp()

    @property
    def end_epoch(self) -> int:
        return self.start_epoch + self.days * DAY_SECONDS

    def satisfaction(self, center_id: str, epoch: float) -> float:
        if center_id == self.degraded_center and epoch >= self.drop_epoch:
            return self.degraded_satisfaction
        return dict(self.fixed_satisfaction).get(center_id, self.healthy_satisfaction)

    def check_centers(self, centers: Sequence[Center]) -> None:
        if self.degraded_center not in {c.center_id for c in centers}:
            raise ValueError(f"degraded center {self.degraded_center!r} is not in the registry")
        for center_id, _ in self.fixed_satisfaction:
            if center_id not in {c.center_id for c in centers}:
                raise ValueError(f"low-volume center {center_id!r} is not in the registry")

    def role(self, center_id: str) -> str:
        if center_id == self.degraded_center:
            return f"degraded: {self.healthy_satisfaction:.1%} until the drop, then {self.degraded_satisfaction:.1%}"
        fixed = dict(self.fixed_satisfaction)
        if center_id in fixed:
            return f"low volume, fixed at {fixed[center_id]:.1%}"
        return f"healthy, {self.healthy_satisfaction:.1%}"


def simulate_ratings(scenario: Scenario, center: Center) -> list[RatingArrival]:
    """One center's ratings over the replay, in time order (``dost_simulation.arrivals``)."""
    return simulate_arrivals(
        center, seed=scenario.seed, start_epoch=scenario.start_epoch, end_epoch=scenario.end_epoch,
        satisfaction=scenario.satisfaction, zone=ZoneInfo(scenario.timezone_name),
        ratings_per_visitor=scenario.ratings_per_visitor,
    )


# --- what the worker exports --------------------------------------------------------------


@dataclass
class CenterSeries:
    """One center's exported gauges and counters, one value per step."""

    center: Center
    # window -> [(ratings, satisfied)] per step
    windows: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    # (channel, rating) -> [count] per step
    counters: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    # detector -> [reading] per step (streams.detector, as the worker exports them)
    detectors: dict[str, list[DetectorReading]] = field(default_factory=dict)
    ratings: int = 0  # in the whole replay


class DetectorTracker:
    """The worker's detector readings, step by step, without recomputing 30 days each time.

    It keeps each detector's state after the last whole hour and applies the current partial
    hour on top. That equals the worker's recomputation from 0 over the 30d window whenever
    the state's excursion began inside the window (both are 0 at its start, then agree);
    otherwise (an excursion older than 30 days) it recomputes exactly as the worker does.
    """

    def __init__(self, specs) -> None:
        self.specs = specs
        self.closed = {spec.name: DetectorState() for spec in specs}
        self.closed_hour: int | None = None  # the last hour folded into `closed`

    def readings(self, days: Mapping[int, CenterDay], now: int) -> list[DetectorReading]:
        current = now // HOUR_SECONDS * HOUR_SECONDS
        first = current - LONGEST_WINDOW_SECONDS + HOUR_SECONDS
        start = first if self.closed_hour is None else self.closed_hour + HOUR_SECONDS
        for hour in range(start, current, HOUR_SECONDS):  # the hours that closed since the last step
            bucket = _bucket(days, hour)
            if bucket is not None:
                self.closed = {s.name: self.closed[s.name].advance(s, bucket) for s in self.specs}
        self.closed_hour = current - HOUR_SECONDS
        partial = _bucket(days, current)
        out = []
        for spec in self.specs:
            state = self.closed[spec.name]
            if state.since is not None and state.since < first:
                out.append(run_detector(spec, hourly_buckets(days, now), current))
                continue
            if partial is not None:
                state = state.advance(spec, partial, filling=True)
            out.append(state.reading(spec))
        return out


def _bucket(days: Mapping[int, CenterDay], hour: int) -> tuple[int, int, int] | None:
    """The hourly bucket starting at ``hour`` (None when empty), as ``hourly_buckets`` gives it."""
    day = days.get(day_start(hour))
    if day is None:
        return None
    index = (hour - day_start(hour)) // HOUR_SECONDS
    tally = day.tally("*", index, index)
    return (hour, tally.ratings, tally.satisfied) if tally.ratings else None


def export_series(scenario: Scenario, center: Center, ratings: Sequence[RatingArrival], steps: Sequence[int],
                  specs=None) -> CenterSeries:
    """Sample what a worker owning ``center`` exports at every step (``streams.scoring``, ``streams.detector``)."""
    from dost_contract.change_detection import SHIPPED_DETECTORS

    specs = SHIPPED_DETECTORS if specs is None else specs
    series = CenterSeries(center, {w: [] for w in WINDOW_SECONDS}, {(c, r): [] for c in CHANNELS for r in RATINGS},
                          {spec.name: [] for spec in specs})
    tracker = DetectorTracker(specs)
    readings: list[DetectorReading] = []
    days: dict[int, CenterDay] = {}
    counts = {key: 0 for key in series.counters}
    next_rating, last_hour, last = 0, None, None
    for now in steps:
        changed = False
        while next_rating < len(ratings) and ratings[next_rating].epoch <= now:
            r = ratings[next_rating]
            day = days.setdefault(day_start(r.epoch), CenterDay())
            day.apply(r.service_group, r.epoch, r.rating)
            counts[(r.channel, str(r.rating))] += 1
            next_rating += 1
            changed = True
        hour = now // 3600
        if changed or hour != last_hour or last is None:
            window_days = {start: days[start] for start in days_in_longest_window(now) if start in days}
            last = {w: window_tally(window_days, "*", now, seconds) for w, seconds in WINDOW_SECONDS.items()}
            readings = tracker.readings(window_days, now)
            last_hour = hour
        for reading in readings:
            series.detectors[reading.detector].append(reading)
        for window, tally in last.items():
            series.windows[window].append((tally.ratings, tally.satisfied))
        for key, value in counts.items():
            series.counters[key].append(value)
    series.ratings = next_rating
    return series


# --- the alert timeline ------------------------------------------------------------------


def duration_seconds(text: str) -> int:
    """A Prometheus duration ("10m", "1h30m", "2d") in whole seconds (used as step counts)."""
    return int(prometheus_duration_seconds(text))


@dataclass
class Episode:
    """One alert from pending to resolved (``fired_at`` None: it never fired)."""

    alertname: str
    labels: dict[str, str]  # the alert's labels, severity included
    pending_at: int
    fired_at: int | None = None
    resolved_at: int | None = None  # None: still active when the replay ends
    at_firing: dict[str, float] = field(default_factory=dict)  # evidence at fired_at

    @property
    def severity(self) -> str:
        return self.labels["severity"]

    def state_at(self, t: int) -> str | None:
        """'pending', 'firing' or None at evaluation time ``t``."""
        if t < self.pending_at or (self.resolved_at is not None and t >= self.resolved_at):
            return None
        if self.fired_at is not None and t >= self.fired_at:
            return "firing"
        return "pending"


class AlertStates:
    """Prometheus' alert state machine for one alerting rule, keyed by label set."""

    def __init__(self, alertname: str, hold_seconds: int) -> None:
        self.alertname = alertname
        self.hold_seconds = hold_seconds
        self.active: dict[tuple, Episode] = {}
        self.episodes: list[Episode] = []

    def evaluate(self, t: int, results: Mapping[tuple, tuple[dict[str, str], dict[str, float]]]) -> None:
        """``results``: label key -> (labels, evidence) of the series the expression returns at ``t``."""
        for key in list(self.active):
            if key not in results:
                self.active.pop(key).resolved_at = t
        for key, (labels, evidence) in results.items():
            episode = self.active.get(key)
            if episode is None:
                episode = self.active[key] = Episode(self.alertname, labels, pending_at=t)
                self.episodes.append(episode)
            if episode.fired_at is None and t - episode.pending_at >= self.hold_seconds:
                episode.fired_at = t
                episode.at_firing = dict(evidence)


def center_results(series: CenterSeries, k: int, params: RuleParameters, hold_steps: int = 0) -> tuple[dict, dict]:
    """The warning's and the page's series at step ``k`` for one center (the rules' conditions):
    the page where any detector's score / page level reached 1 within the hold
    (``max_over_time`` over the evaluations k - hold_steps .. k: Prometheus 2.x ranges include
    both ends), the warning where the small-drop detector's score reached its warning level
    likewise, both with the 30d volume guard. Scores are whole numbers and score / level >= 1
    is exact in floats, so Prometheus decides ties the same way."""
    center = series.center
    base = {"center_id": center.center_id, "region": center.region}  # region: joined from dost_center_info
    warning, page = {}, {}
    if series.windows[GUARD_WINDOW][k][0] < params.min_ratings:
        return warning, page
    held = range(max(k - hold_steps, 0), k + 1)
    readings = {spec.name: (spec, max((series.detectors[spec.name][j] for j in held), key=lambda r: r.score))
                for spec in params.detectors}
    ratings, satisfied = series.windows[WARNING_WINDOW][k]
    evidence = {"ratio": satisfied / ratings if ratings else float("nan"), "count": ratings,
                "upper": wilson_upper(satisfied, ratings) if ratings else float("nan"), "target": center.target}
    small, level = warning_points(params)
    if readings[small][1].score >= level:
        labels = {**base, "severity": "warning"}
        warning[tuple(sorted(labels.items()))] = (labels, {**evidence, "score": readings[small][1].score})
    strongest = max(readings.values(), key=lambda pair: pair[1].score / pair[0].page_points)
    if strongest[1].score / strongest[0].page_points >= 1:
        labels = {**base, "severity": "page"}
        reading = strongest[1]
        page[tuple(sorted(labels.items()))] = (labels, {
            **evidence, "score": reading.score, "detector_ratings": reading.ratings,
            "detector_unsatisfied": reading.unsatisfied, "since": reading.since_epoch or 0})
    return warning, page


@dataclass(frozen=True)
class NetworkCounts:
    """Network-wide running counts per step: all ratings and unsatisfied (1-3) ones."""

    all: list[int]
    unsatisfied: list[int]


def network_counts(series: Iterable[CenterSeries], steps: int) -> NetworkCounts:
    all_counts, unsatisfied = [0] * steps, [0] * steps
    for s in series:
        for (channel, rating), values in s.counters.items():
            target = unsatisfied if rating in UNSATISFIED else None
            for k, v in enumerate(values):
                all_counts[k] += v
                if target is not None:
                    target[k] += v
    return NetworkCounts(all_counts, unsatisfied)


def network_increase(values: list[int], k: int, window_steps: int) -> int:
    """``increase(counter[window])`` on the step grid: the counters start at 0 when the
    replay starts and have a sample at every step, so Prometheus 2.x (window closed at
    both ends) sees the first sample exactly at the window start, or the counter's zero
    point, and does not extrapolate: the increase is the plain difference."""
    return values[k] - values[max(k - window_steps, 0)]


def burn_rate(counts: NetworkCounts, k: int, window_steps: int, error_budget: float) -> float | None:
    """``dost:network_burn_rate:ratio`` at step k (None: no ratings in the window, no series)."""
    if k == 0:
        return None  # one sample: increase() has no result
    rated = network_increase(counts.all, k, window_steps)
    if rated <= 0:
        return None
    return float(network_increase(counts.unsatisfied, k, window_steps)) / float(rated) / error_budget


@dataclass
class Timeline:
    scenario: Scenario
    params: RuleParameters
    steps: list[int]  # epoch seconds of every evaluation
    series: list[CenterSeries]
    counts: NetworkCounts
    episodes: list[Episode]

    def step_index(self, epoch: int) -> int:
        return bisect.bisect_left(self.steps, epoch)


def build_timeline(
    scenario: Scenario,
    centers: Sequence[Center],
    params: RuleParameters,
    progress: Callable[[str], None] = lambda message: None,
) -> Timeline:
    scenario.check_centers(centers)
    steps = list(range(scenario.start_epoch, scenario.end_epoch + 1, scenario.step_seconds))
    series = []
    for center in centers:
        ratings = simulate_ratings(scenario, center)
        series.append(export_series(scenario, center, ratings, steps, params.detectors))
        progress(f"simulated {center.center_id}: {len(ratings)} ratings")
    counts = network_counts(series, len(steps))
    warning = AlertStates(SATISFACTION_ALERT, duration_seconds(params.timings.alert_warning_for))
    page = AlertStates(SATISFACTION_ALERT, duration_seconds(params.timings.alert_page_for))
    burn_states = []
    for severity, long, short, threshold in BURN_RATE_RULES:
        hold = duration_seconds(params.timings.alert_burn_page_for if severity == "page" else params.timings.alert_burn_ticket_for)
        burn_states.append((AlertStates(BURN_ALERT, hold), severity, long, short, threshold))
    window_steps = {w: duration_seconds(w) // scenario.step_seconds for w in BURN_WINDOWS}
    hold_steps = duration_seconds(params.detector_hold) // scenario.step_seconds
    for k, t in enumerate(steps):
        warnings, pages = {}, {}
        for s in series:
            w, p = center_results(s, k, params, hold_steps)
            warnings.update(w)
            pages.update(p)
        warning.evaluate(t, warnings)
        page.evaluate(t, pages)
        for states, severity, long, short, threshold in burn_states:
            long_burn = burn_rate(counts, k, window_steps[long], params.error_budget)
            short_burn = burn_rate(counts, k, window_steps[short], params.error_budget)
            rated = network_increase(counts.all, k, window_steps[long])
            results = {}
            if (
                long_burn is not None and short_burn is not None and rated >= params.burn_min_ratings
                and long_burn > threshold and short_burn > threshold
            ):
                labels = {"severity": severity, "burn_window": f"{long}/{short}"}
                results[tuple(sorted(labels.items()))] = (
                    labels, {"burn_rate": long_burn, "burn_rate_short": short_burn, "count": rated,
                             "error_budget": params.error_budget})
            states.evaluate(t, results)
        if k % (len(steps) // 10 or 1) == 0:
            progress(f"alert timeline: day {(t - scenario.start_epoch) / DAY_SECONDS:.0f} of {scenario.days}")
    episodes = warning.episodes + page.episodes + [e for states, *_ in burn_states for e in states.episodes]
    episodes.sort(key=lambda e: (e.pending_at, e.alertname, sorted(e.labels.items())))
    return Timeline(scenario, params, steps, series, counts, episodes)


# --- questions the report and the test ask ------------------------------------------------


def pages(timeline: Timeline, center_id: str | None = None) -> list[Episode]:
    """Episodes that fired with severity page (for one center, or network-wide when None)."""
    return [
        e for e in timeline.episodes
        if e.severity == "page" and e.fired_at is not None and e.labels.get("center_id") == center_id
    ]


def time_to_page(timeline: Timeline) -> int | None:
    """Seconds from the drop to the degraded center's first page (None: it never paged)."""
    drop = timeline.scenario.drop_epoch
    fired = [e.fired_at for e in pages(timeline, timeline.scenario.degraded_center) if e.fired_at >= drop]
    return int(min(fired) - drop) if fired else None


@dataclass(frozen=True)
class Sweep:
    """The same scenario over many seeds (center alerts only: each center's ratings and
    alerts depend on its own random stream, so only the watched centers are simulated)."""

    seeds: tuple[int, ...]
    times_to_page: tuple[int | None, ...]  # per seed
    paged: dict[str, int]  # low-volume center -> seeds in which it paged

    def within(self, seconds: int) -> int:
        return sum(1 for t in self.times_to_page if t is not None and t <= seconds)


def sweep(
    scenario: Scenario, centers: Sequence[Center], params: RuleParameters, seeds: Sequence[int],
    progress: Callable[[str], None] = lambda message: None,
) -> Sweep:
    watched = {scenario.degraded_center, *(c for c, _ in scenario.fixed_satisfaction)}
    subset = [c for c in centers if c.center_id in watched]
    ttps, paged = [], {c: 0 for c, _ in scenario.fixed_satisfaction}
    for i, seed in enumerate(seeds, 1):
        timeline = build_timeline(replace(scenario, seed=seed), subset, params)
        ttps.append(time_to_page(timeline))
        for center_id in paged:
            paged[center_id] += bool(pages(timeline, center_id))
        progress(f"sweep: seed {seed} ({i} of {len(seeds)})")
    return Sweep(tuple(seeds), tuple(ttps), paged)
