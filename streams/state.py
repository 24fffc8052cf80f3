"""The worker's changelog-backed state: one ``CenterDay`` per (center, UTC day).

Writes go straight to the table's data and to its changelog, in the partition of the
center (the partition its ratings arrive on). That is what lets the agent write each
touched center-day once per batch, whichever event of the batch is current.
``CenterDayStore.on_table`` binds the store to a Faust table; anything with a mapping
and a changelog sink works the same (the unit tests use a dict and a list).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, MutableMapping

from streams.partitioning import partition_for_center
from streams.scoring import CenterDay, day_key, days_in_longest_window, parse_day_key

# (partition, key, day or None for a deletion) -> the record on the changelog topic
ChangelogWriter = Callable[[int, str, "CenterDay | None"], None]


class CenterDayStore:
    def __init__(self, data: MutableMapping[str, Any], write_changelog: ChangelogWriter, partitions: int) -> None:
        self._data = data
        self._write_changelog = write_changelog
        self._partitions = partitions

    @classmethod
    def on_table(cls, table: Any, partitions: int) -> "CenterDayStore":
        """The store of a Faust ``Table`` (its in-memory data and its changelog topic)."""

        def write(partition: int, key: str, day: CenterDay | None) -> None:
            if day is None:  # a tombstone: compaction drops the key
                table.send_changelog(partition, key, None, value_serializer="raw")
            else:
                table.send_changelog(partition, key, day)

        return cls(table.data, write, partitions)

    def get(self, key: str) -> CenterDay:
        value = self._data.get(key)
        if value is None:
            return CenterDay()
        if not isinstance(value, CenterDay):
            # Recovered from the changelog as plain JSON: decode once, keep the object.
            value = CenterDay.from_json(value)
            self._data[key] = value
        return value

    def put(self, key: str, day: CenterDay) -> None:
        center_id, _ = parse_day_key(key)
        self._data[key] = day
        self._write_changelog(partition_for_center(center_id, self._partitions), key, day)

    def delete(self, key: str) -> None:
        center_id, _ = parse_day_key(key)
        self._data.pop(key, None)
        self._write_changelog(partition_for_center(center_id, self._partitions), key, None)

    def days_for_window(self, center_id: str, now: float) -> dict[int, CenterDay]:
        days = {}
        for start in days_in_longest_window(now):
            key = day_key(center_id, start)
            if key in self._data:
                days[start] = self.get(key)
        return days

    def items_for_centers(self, center_ids: set[str]) -> Iterator[tuple[str, CenterDay]]:
        for key in list(self._data.keys()):
            center_id, _ = parse_day_key(key)
            if center_id in center_ids:
                yield key, self.get(key)
