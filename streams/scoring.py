"""Satisfaction arithmetic by event time: pure functions, no Kafka, no clocks read here.

Ratings are tallied in hourly event-time buckets per center. A rolling window of
length W is the sum of the W/1h most recent buckets up to and including the bucket
that holds ``now``: the 24h window is the current (partial) hour plus the 23 whole
hours before it. Buckets older than the longest window are expired.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

from dost_feedback.events import is_satisfied

BUCKET_SECONDS = 3600
WINDOW_SECONDS: dict[str, int] = {
    "1h": 3600,
    "24h": 24 * 3600,
    "7d": 7 * 24 * 3600,
    "30d": 30 * 24 * 3600,
}
LONGEST_WINDOW_SECONDS = max(WINDOW_SECONDS.values())
BUCKET_KEY_SEPARATOR = "|"


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
        """satisfied / ratings, or None for an empty window (no ratio is not 0%)."""
        return self.satisfied / self.ratings if self.ratings else None

    def to_list(self) -> list[int]:
        return [self.ratings, self.satisfied]

    @classmethod
    def from_list(cls, value: list[int] | tuple[int, int] | None) -> "Tally":
        return cls(*value) if value else cls()


def bucket_start(event_time: datetime | float) -> int:
    """Epoch second at which the hourly bucket holding ``event_time`` starts (UTC)."""
    epoch = event_time.timestamp() if isinstance(event_time, datetime) else event_time
    return int(epoch // BUCKET_SECONDS) * BUCKET_SECONDS


def bucket_key(center_id: str, start: int) -> str:
    return f"{center_id}{BUCKET_KEY_SEPARATOR}{start}"


def parse_bucket_key(key: str) -> tuple[str, int]:
    center_id, _, start = key.rpartition(BUCKET_KEY_SEPARATOR)
    return center_id, int(start)


def window_floor(now: float, window_seconds: int) -> int:
    """Start of the oldest bucket inside a window ending at ``now``."""
    return bucket_start(now) - window_seconds + BUCKET_SECONDS


def is_expired(start: int, now: float) -> bool:
    return start < window_floor(now, LONGEST_WINDOW_SECONDS)


def window_tallies(buckets: Mapping[int, Tally], now: float) -> dict[str, Tally]:
    """Every rolling window's tally for one center, from its buckets."""
    result: dict[str, Tally] = {}
    for window, seconds in WINDOW_SECONDS.items():
        floor = window_floor(now, seconds)
        total = Tally()
        for start, tally in buckets.items():
            if start >= floor:
                total = total + tally
        result[window] = total
    return result


def group_buckets(items: Iterable[tuple[str, list[int]]]) -> dict[str, dict[int, Tally]]:
    """Table items ``("center|start", [ratings, satisfied])`` grouped per center."""
    grouped: dict[str, dict[int, Tally]] = defaultdict(dict)
    for key, value in items:
        center_id, start = parse_bucket_key(key)
        grouped[center_id][start] = Tally.from_list(value)
    return grouped


def center_windows(
    items: Iterable[tuple[str, list[int]]], centers: Iterable[str], now: float
) -> dict[str, dict[str, Tally]]:
    """Windows for each of ``centers`` (empty windows included) from bucket table items."""
    grouped = group_buckets(items)
    return {center_id: window_tallies(grouped.get(center_id, {}), now) for center_id in centers}
