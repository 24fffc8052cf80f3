"""The change detectors over a center's hourly buckets: pure, deterministic, no clocks read.

Each detector (``dost_contract.change_detection``) is a Bernoulli CUSUM in whole points,
updated once per hourly bucket: score = min(cap, max(0, score + unhappy x unhappy_points
- satisfied x satisfied_points)). It is recomputed from 0 over every retained bucket of the
30d window, oldest first, each time: the same buckets give the same score, whatever
restarts, rebalances or late ratings came before (a late rating lands in its own hour's
bucket and the next recomputation places it in order).

The alarm latches: it is set when the score reaches ``page_points`` and cleared once the
score has fallen to ``reset_points`` at the end of a whole hour. The current hour's bucket is
still filling, so it can set the alarm but not clear it (else a page would flap within the
hour as satisfied and unhappy ratings alternate around the reset level). While latched, the exported score is held at no less
than ``page_points``, so a rule that thresholds the score (``>= page_points``) pages and
resolves exactly as the latch does, in Prometheus and in Grafana alike.

The evidence of a reading is the current excursion: from the hour the score last left 0,
the ratings and the unhappy ratings counted since.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dost_contract.change_detection import DetectorSpec
from streams.scoring import ALL_GROUPS, HOUR_SECONDS, LONGEST_WINDOW_SECONDS, CenterDay, hour_start

# (hour start epoch, ratings, satisfied) of one hourly bucket
Bucket = tuple[int, int, int]


@dataclass(frozen=True)
class DetectorReading:
    detector: str
    score: int  # the exported score: held at >= page_points while the alarm is latched
    raw_score: int  # the CUSUM itself
    alarmed: bool
    since_epoch: int | None  # start of the hour the current excursion began (None: score 0)
    ratings: int = 0  # ratings since then
    unsatisfied: int = 0  # unhappy ratings (1-3) since then


def hourly_buckets(days: Mapping[int, CenterDay], now: float) -> list[Bucket]:
    """The non-empty hours of the 30d window ending in the hour of ``now``, oldest first."""
    last_hour = hour_start(now)
    first_hour = last_hour - LONGEST_WINDOW_SECONDS + HOUR_SECONDS
    buckets = []
    for start in sorted(days):
        day = days[start]
        for index in range(24):
            hour = start + index * HOUR_SECONDS
            if hour < first_hour or hour > last_hour:
                continue
            tally = day.tally(ALL_GROUPS, index, index)
            if tally.ratings:
                buckets.append((hour, tally.ratings, tally.satisfied))
    return buckets


@dataclass(frozen=True)
class DetectorState:
    """The CUSUM after some buckets (the replay keeps it between hours; the worker recomputes)."""

    score: int = 0
    alarmed: bool = False
    since: int | None = None
    ratings: int = 0
    unsatisfied: int = 0

    def advance(self, spec: DetectorSpec, bucket: Bucket, filling: bool = False) -> DetectorState:
        """The state after one more bucket (``filling``: the current hour, which cannot clear the alarm)."""
        hour, rated, satisfied = bucket
        if rated < satisfied or satisfied < 0:
            raise ValueError(f"bucket at {hour}: {satisfied} satisfied of {rated} ratings")
        unhappy = rated - satisfied
        score = min(spec.cap_points, max(0, self.score + unhappy * spec.unhappy_points - satisfied * spec.satisfied_points))
        if score == 0:
            since, ratings, unsatisfied = None, 0, 0
        else:
            since = hour if self.since is None else self.since
            ratings, unsatisfied = self.ratings + rated, self.unsatisfied + unhappy
        if score >= spec.page_points:
            alarmed = True
        elif score <= spec.reset_points and not filling:
            alarmed = False
        else:
            alarmed = self.alarmed
        return DetectorState(score, alarmed, since, ratings, unsatisfied)

    @classmethod
    def after_closed(cls, spec: DetectorSpec, buckets: Iterable[Bucket]) -> DetectorState:
        """The state after whole-hour ``buckets`` from 0: ``advance`` over each, in plain ints (no
        object per bucket: the worker sums 30 days of them for every center each hour)."""
        score, alarmed, since, ratings, unsatisfied = 0, False, None, 0, 0
        cap, unhappy_points, satisfied_points = spec.cap_points, spec.unhappy_points, spec.satisfied_points
        page, reset = spec.page_points, spec.reset_points
        for hour, rated, satisfied in buckets:
            if rated < satisfied or satisfied < 0:
                raise ValueError(f"bucket at {hour}: {satisfied} satisfied of {rated} ratings")
            unhappy = rated - satisfied
            score = min(cap, max(0, score + unhappy * unhappy_points - satisfied * satisfied_points))
            if score == 0:
                since, ratings, unsatisfied = None, 0, 0
            else:
                if since is None:
                    since = hour
                ratings, unsatisfied = ratings + rated, unsatisfied + unhappy
            if score >= page:
                alarmed = True
            elif score <= reset:
                alarmed = False
        return cls(score, alarmed, since, ratings, unsatisfied)

    def reading(self, spec: DetectorSpec) -> DetectorReading:
        held = max(self.score, spec.page_points) if self.alarmed else self.score
        return DetectorReading(spec.name, held, self.score, self.alarmed, self.since, self.ratings, self.unsatisfied)


def run_detector(spec: DetectorSpec, buckets: Iterable[Bucket], filling_hour: int | None = None) -> DetectorReading:
    """The detector's reading after ``buckets`` (in time order), starting from 0; the bucket of
    ``filling_hour`` (the current hour) cannot clear the alarm."""
    state = DetectorState()
    for bucket in buckets:
        state = state.advance(spec, bucket, filling=bucket[0] == filling_hour)
    return state.reading(spec)


def run_detectors(specs: Sequence[DetectorSpec], buckets: Sequence[Bucket],
                  filling_hour: int | None = None) -> tuple[DetectorReading, ...]:
    return tuple(run_detector(spec, buckets, filling_hour) for spec in specs)


def center_readings(specs: Sequence[DetectorSpec], days: Mapping[int, CenterDay], now: float) -> tuple[DetectorReading, ...]:
    """Every detector's reading for one center at ``now`` (what the worker exports)."""
    return run_detectors(specs, hourly_buckets(days, now), hour_start(now))


