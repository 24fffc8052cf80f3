"""``ClosedHoursCache``: a center's windows and detector readings, the closed hours summed once an hour.

Every window (``streams.scoring``) and every detector (``streams.detector``) at ``now`` is the
hours before the current one (closed) plus the current (filling) hour. Within one hour only
the filling hour changes, unless a late rating lands in a closed hour. So the cache keeps,
per center, the closed part (per group and window: the sums; per detector: the CUSUM state
after every closed bucket) and a fingerprint of it: the ratings held in the center's days
before the current hour. Counts only ever grow, so an unchanged fingerprint means no closed
hour changed. A refresh then costs the filling hour only (one bucket, one hour per group),
instead of 30 days x 24 hours x every group and detector.

The results equal ``window_tallies`` and ``center_readings`` exactly (tests/streams/
test_closed_hours.py compares them on random histories with late ratings and turning hours).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dost_contract.change_detection import DetectorSpec
from streams.detector import Bucket, DetectorReading, DetectorState
from streams.scoring import (
    ALL_GROUPS,
    HOUR_SECONDS,
    HOURS_PER_DAY,
    LONGEST_WINDOW_SECONDS,
    WINDOW_SECONDS,
    CenterDay,
    Tally,
    _window_sums,
    day_start,
    hour_start,
)

# The closed part of each window: a window of W ends with the filling hour, so its closed part
# is the W - 1h before it (empty for 1h).
CLOSED_WINDOW_SECONDS = {window: seconds - HOUR_SECONDS for window, seconds in WINDOW_SECONDS.items()}


@dataclass(frozen=True)
class ClosedHours:
    hour: int  # start of the filling hour these were summed for
    fingerprint: tuple  # ratings held before that hour, and which day objects held them
    sums: Mapping[str, Mapping[str, tuple[int, int]]]  # group -> window -> (ratings, satisfied), closed hours only
    states: tuple[DetectorState, ...]  # each detector after every closed bucket


def closed_fingerprint(days: Mapping[int, CenterDay], now: float) -> tuple[int, tuple[int, ...]]:
    """All-groups ratings in ``days`` before the hour of ``now`` (whole earlier days, so a change
    in an hour outside the 30d window counts too: that only costs a recomputation), and the
    identity of each day object: days read back from the changelog (a partition that left
    and came back between two refreshes) are new objects, so they are summed again."""
    today = day_start(now)
    filling_index = (hour_start(now) - today) // HOUR_SECONDS
    total = 0
    for start, day in days.items():
        if start < today:
            total += day._sums(ALL_GROUPS, 0, HOURS_PER_DAY - 1)[0]
        elif start == today and filling_index:
            total += day._sums(ALL_GROUPS, 0, filling_index - 1)[0]
    return total, tuple(id(day) for day in days.values())


def sum_closed_hours(specs: Sequence[DetectorSpec], days: Mapping[int, CenterDay], now: float) -> ClosedHours:
    hour = hour_start(now)
    groups = {ALL_GROUPS}
    for day in days.values():
        groups |= day.groups()
    sums = {group: _window_sums(days, group, hour - HOUR_SECONDS, CLOSED_WINDOW_SECONDS) for group in groups}
    buckets = closed_buckets(days, now)
    states = tuple(DetectorState.after_closed(spec, buckets) for spec in specs)
    return ClosedHours(hour, closed_fingerprint(days, now), sums, states)


def closed_buckets(days: Mapping[int, CenterDay], now: float) -> list[Bucket]:
    """``hourly_buckets(days, now)`` without the hour of ``now``, read straight from the hour counts."""
    last_closed = hour_start(now) - HOUR_SECONDS
    first_hour = last_closed - LONGEST_WINDOW_SECONDS + 2 * HOUR_SECONDS  # the 30d window's first hour
    buckets = []
    for start in sorted(days):
        counts = days[start].hours.get(ALL_GROUPS)
        if counts is None:
            continue
        first = max(0, (first_hour - start) // HOUR_SECONDS)
        last = min(HOURS_PER_DAY - 1, (last_closed - start) // HOUR_SECONDS)
        for index in range(first, last + 1):
            if counts[index]:
                buckets.append((start + index * HOUR_SECONDS, counts[index], counts[HOURS_PER_DAY + index]))
    return buckets


class ClosedHoursCache:
    """Per center: the closed hours of the windows and detectors, summed at most once an hour
    (again only when a late rating changes a closed hour)."""

    def __init__(self, specs: Sequence[DetectorSpec]) -> None:
        self.specs = tuple(specs)
        self.by_center: dict[str, ClosedHours] = {}
        self.recomputed = 0  # closed sums computed from the days (hour turned, late rating, new center)

    def forget(self, center_id: str) -> None:
        self.by_center.pop(center_id, None)

    def closed(self, center_id: str, days: Mapping[int, CenterDay], now: float) -> ClosedHours:
        cached = self.by_center.get(center_id)
        if cached is None or cached.hour != hour_start(now) or cached.fingerprint != closed_fingerprint(days, now):
            cached = self.by_center[center_id] = sum_closed_hours(self.specs, days, now)
            self.recomputed += 1
        return cached

    def windows_and_readings(self, center_id: str, days: Mapping[int, CenterDay], now: float
                             ) -> tuple[dict[str, dict[str, Tally]], tuple[DetectorReading, ...]]:
        """What ``window_tallies(days, now)`` and ``center_readings(specs, days, now)`` return."""
        closed = self.closed(center_id, days, now)
        hour = closed.hour
        today = days.get(day_start(now))
        index = (hour - day_start(now)) // HOUR_SECONDS
        groups = set(closed.sums)
        if today is not None:
            groups |= today.groups()
        windows: dict[str, dict[str, Tally]] = {}
        for group in groups:
            filling = today._sums(group, index, index) if today is not None else (0, 0)
            sums = closed.sums.get(group)
            windows[group] = {
                window: Tally(filling[0] + (sums[window][0] if sums else 0), filling[1] + (sums[window][1] if sums else 0))
                for window in WINDOW_SECONDS
            }
        rated, satisfied = today._sums(ALL_GROUPS, index, index) if today is not None else (0, 0)
        readings = []
        for spec, state in zip(self.specs, closed.states):
            if rated:
                state = state.advance(spec, (hour, rated, satisfied), filling=True)
            readings.append(state.reading(spec))
        return windows, tuple(readings)
