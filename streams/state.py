"""The worker's changelog-backed state: one ``CenterDay`` per (center, UTC day).

Writes go straight to the table's store and to its changelog, in the partition of the
center (the partition its ratings arrive on). That is what lets the agent write each
touched center-day once per batch, whichever event of the batch is current.
"""

from __future__ import annotations

from typing import Iterator

import faust

from streams.partitioning import partition_for_center
from streams.scoring import CenterDay, day_key, days_in_longest_window, parse_day_key


class CenterDayStore:
    def __init__(self, table: faust.Table, partitions: int) -> None:
        self._table = table
        self._partitions = partitions

    def get(self, key: str) -> CenterDay:
        value = self._table.data.get(key)
        if value is None:
            return CenterDay()
        if not isinstance(value, CenterDay):
            # Recovered from the changelog as plain JSON: decode once, keep the object.
            value = CenterDay.from_json(value)
            self._table.data[key] = value
        return value

    def put(self, key: str, day: CenterDay) -> None:
        center_id, _ = parse_day_key(key)
        self._table.data[key] = day
        self._table.send_changelog(partition_for_center(center_id, self._partitions), key, day)

    def delete(self, key: str) -> None:
        center_id, _ = parse_day_key(key)
        self._table.data.pop(key, None)
        self._table.send_changelog(
            partition_for_center(center_id, self._partitions), key, None, value_serializer="raw"
        )

    def days_for_window(self, center_id: str, now: float) -> dict[int, CenterDay]:
        days = {}
        for start in days_in_longest_window(now):
            key = day_key(center_id, start)
            if key in self._table.data:
                days[start] = self.get(key)
        return days

    def items_for_centers(self, center_ids: set[str]) -> Iterator[tuple[str, CenterDay]]:
        for key in list(self._table.data.keys()):
            center_id, _ = parse_day_key(key)
            if center_id in center_ids:
                yield key, self.get(key)
