"""Satisfaction arithmetic by event time: pure functions, no Kafka, no clocks read here.

State is one ``CenterDay`` per (center, UTC day of ``submitted_at``). It holds hourly
ratings and satisfied counts for every service group (and ``ALL_GROUPS``), plus the
highest source offset counted into it, so its size never depends on the day's volume
and a replayed record finds itself already counted (``offset``). Which ``feedback_id``s
were seen lives apart, in ``streams.dedup`` (see docs/architecture.md).

A rolling window of length W is the W/1h most recent hours up to and including the
hour that holds ``now``: the 24h window is the current (partial) hour plus the 23
whole hours before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from dost_contract.events import is_satisfied

HOUR_SECONDS = 3600
DAY_SECONDS = 24 * HOUR_SECONDS
HOURS_PER_DAY = 24
WINDOW_SECONDS: dict[str, int] = {
    "1h": HOUR_SECONDS,
    "24h": DAY_SECONDS,
    "7d": 7 * DAY_SECONDS,
    "30d": 30 * DAY_SECONDS,
}
LONGEST_WINDOW_SECONDS = max(WINDOW_SECONDS.values())
ALL_GROUPS = "*"
UNSPECIFIED_GROUP = "unspecified"
DAY_KEY_SEPARATOR = "|"


@dataclass(frozen=True)
class Tally:
    ratings: int = 0
    satisfied: int = 0

    def add(self, rating: int) -> "Tally":
        return Tally(self.ratings + 1, self.satisfied + int(is_satisfied(rating)))

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.ratings + other.ratings, self.satisfied + other.satisfied)

    @property
    def satisfaction_ratio(self) -> float | None:
        """satisfied / ratings, or None for an empty window (no ratings is not 0%)."""
        return self.satisfied / self.ratings if self.ratings else None


def hour_start(epoch: float) -> int:
    return int(epoch // HOUR_SECONDS) * HOUR_SECONDS


def day_start(epoch: float) -> int:
    return int(epoch // DAY_SECONDS) * DAY_SECONDS


def day_key(center_id: str, start: int) -> str:
    return f"{center_id}{DAY_KEY_SEPARATOR}{start}"


def parse_day_key(key: str) -> tuple[str, int]:
    center_id, _, start = key.rpartition(DAY_KEY_SEPARATOR)
    return center_id, int(start)


@dataclass
class CenterDay:
    """One center's ratings for one UTC day, by service group and hour."""

    # group -> [ratings per hour 0..23] + [satisfied per hour 0..23]
    hours: dict[str, list[int]] = field(default_factory=dict)
    # The highest feedback.submitted offset counted here (-1: none). A center lives in one
    # partition and records are counted in log order, so a record at or below it that has
    # a de-duplication mark is in (streams.counting: marks reach the broker first).
    offset: int = -1
    # Whole-day totals per group, so a 30d window sums 30 numbers, not 30 x 24.
    _day_totals: dict[str, tuple[int, int]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def apply(self, service_group: str | None, submitted_epoch: float, rating: int, offset: int | None = None,
              unmarked: bool = False) -> bool:
        """Count one rating; False (and no change) when the record at ``offset`` is already counted.

        ``unmarked``: the record had no de-duplication mark, so it was never counted anywhere
        (its mark would have reached the broker before this day did); it counts even at or
        below ``offset``, as when Faust skipped it once and delivered it again later."""
        if offset is not None:
            if offset <= self.offset and not unmarked:
                return False
            self.offset = max(self.offset, offset)
        self._day_totals.clear()
        hour = int(submitted_epoch - day_start(submitted_epoch)) // HOUR_SECONDS
        satisfied = int(is_satisfied(rating))
        for group in (ALL_GROUPS, service_group or UNSPECIFIED_GROUP):
            counts = self.hours.get(group)
            if counts is None:
                counts = self.hours[group] = [0] * (2 * HOURS_PER_DAY)
            counts[hour] += 1
            counts[HOURS_PER_DAY + hour] += satisfied
        return True

    def tally(self, group: str, first_hour: int, last_hour: int) -> Tally:
        """Sum of hours first_hour..last_hour (inclusive, 0-23) for one group."""
        return Tally(*self._sums(group, first_hour, last_hour))

    def _sums(self, group: str, first_hour: int, last_hour: int) -> tuple[int, int]:
        counts = self.hours.get(group)
        if counts is None:
            return 0, 0
        if first_hour == 0 and last_hour == HOURS_PER_DAY - 1:
            total = self._day_totals.get(group)
            if total is None:
                total = self._day_totals[group] = (sum(counts[:HOURS_PER_DAY]), sum(counts[HOURS_PER_DAY:]))
            return total
        return (
            sum(counts[first_hour : last_hour + 1]),
            sum(counts[HOURS_PER_DAY + first_hour : HOURS_PER_DAY + last_hour + 1]),
        )

    def groups(self) -> set[str]:
        return set(self.hours)

    # Faust's JSON codec calls __json__ when it writes the changelog.
    def __json__(self) -> dict:
        return {"hours": self.hours, "offset": self.offset}

    @classmethod
    def from_json(cls, value: Mapping) -> "CenterDay":
        # Records written before offsets existed carry "ids" instead: their offset is unknown (-1).
        return cls(hours={g: list(c) for g, c in value.get("hours", {}).items()}, offset=int(value.get("offset", -1)))


def window_tally(days: Mapping[int, CenterDay], group: str, now: float, window_seconds: int) -> Tally:
    """One group's tally over a rolling window ending in the hour that holds ``now``."""
    return Tally(*_window_sums(days, group, hour_start(now), {"w": window_seconds})["w"])


def _window_sums(
    days: Mapping[int, CenterDay], group: str, last_hour: int, windows: Mapping[str, int]
) -> dict[str, tuple[int, int]]:
    # One pass over the days, adding each day's overlap with every window (plain ints: hot path).
    first_hours = {window: last_hour - seconds + HOUR_SECONDS for window, seconds in windows.items()}
    sums = {window: [0, 0] for window in windows}
    for start, day in days.items():
        day_last = start + DAY_SECONDS - HOUR_SECONDS
        for window, first_hour in first_hours.items():
            first = max(first_hour, start)
            last = min(last_hour, day_last)
            if first > last:
                continue
            ratings, satisfied = day._sums(group, (first - start) // HOUR_SECONDS, (last - start) // HOUR_SECONDS)
            total = sums[window]
            total[0] += ratings
            total[1] += satisfied
    return {window: (total[0], total[1]) for window, total in sums.items()}


def window_tallies(days: Mapping[int, CenterDay], now: float) -> dict[str, dict[str, Tally]]:
    """group -> window -> tally for one center (``ALL_GROUPS`` always present)."""
    groups = {ALL_GROUPS}
    for day in days.values():
        groups |= day.groups()
    last_hour = hour_start(now)
    return {
        group: {w: Tally(*sums) for w, sums in _window_sums(days, group, last_hour, WINDOW_SECONDS).items()}
        for group in groups
    }


def days_in_longest_window(now: float) -> list[int]:
    """Day starts that the 30d window can touch at ``now``."""
    last_hour = hour_start(now)
    first_hour = last_hour - LONGEST_WINDOW_SECONDS + HOUR_SECONDS
    return list(range(day_start(first_hour), last_hour + 1, DAY_SECONDS))


def unreachable_days(keys: Iterable[str], now: float) -> list[str]:
    """Day keys no window can reach any more at ``now``: safe to delete."""
    oldest_in_windows = days_in_longest_window(now)[0]
    return [key for key in keys if parse_day_key(key)[1] < oldest_in_windows]
