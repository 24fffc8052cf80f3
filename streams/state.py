"""The worker's changelog-backed state: one ``CenterDay`` per (center, UTC day), and the marks.

Writes go straight to the table's data and to its changelog, in the partition of the
center (the partition its ratings arrive on). That is what lets the agent write each
touched center-day once per batch, whichever event of the batch is current.
``CenterDayStore.on_table`` binds the store to a Faust table; anything with a mapping
and a changelog sink works the same (the unit tests use a dict and a list).

``MarkStore`` does the same for ``streams.dedup.FeedbackMarks``: its blocks go to the
``feedback-marks`` changelog in their partition, and blocks read back from it (recovery,
standby replicas) are loaded into the marks as Faust reads them.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, MutableMapping

import orjson

from streams.dedup import FeedbackMarks
from streams.partitioning import partition_for_center
from streams.scoring import CenterDay, day_key, days_in_longest_window, parse_day_key

# (partition, key, day or None for a deletion) -> the record on the changelog topic
ChangelogWriter = Callable[[int, str, "CenterDay | None"], None]
# (partition, block key, block or None for a deletion) -> the record on the marks changelog
BlockWriter = Callable[[int, bytes, "bytes | None"], None]


class CenterDayStore:
    def __init__(self, data: MutableMapping[str, Any], write_changelog: ChangelogWriter, partitions: int) -> None:
        self._data = data
        self._write_changelog = write_changelog
        self._partitions = partitions

    @classmethod
    def on_table(cls, table: Any, partitions: int) -> "CenterDayStore":
        """The store of a Faust ``Table`` (its in-memory data and its changelog topic)."""

        def write(partition: int, key: str, day: CenterDay | None) -> None:
            # The same JSON the table's codec writes and reads back on recovery, encoded by
            # orjson: Faust's own json codec cost more than the rest of a batch (docs/benchmarks.md).
            value = None if day is None else orjson.dumps(day.__json__())  # None: a tombstone
            table.send_changelog(partition, orjson.dumps(key), value, key_serializer="raw", value_serializer="raw")

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

    def __len__(self) -> int:
        return len(self._data)


class MarkStore:
    """``FeedbackMarks`` and the changelog its blocks are written to."""

    def __init__(self, marks: FeedbackMarks, write_block: BlockWriter) -> None:
        self.marks = marks
        self._write_block = write_block

    @classmethod
    def on_table(cls, table: Any, marks: FeedbackMarks) -> "MarkStore":
        """Blocks on a raw-bytes Faust table's changelog. The marks live in ``marks``, not in the
        table's data (Faust also loads recovered blocks there; 32 bytes a mark, left alone)."""

        def write(partition: int, key: bytes, value: bytes | None) -> None:
            table.send_changelog(partition, key, value, key_serializer="raw", value_serializer="raw")

        return cls(marks, write)

    def flush(self) -> int:
        """Write the blocks of the marks made since the last flush; how many records."""
        blocks = self.marks.take_blocks()
        for partition, key, value in blocks:
            self._write_block(partition, key, value)
        return len(blocks)

    def prune(self, partition: int, received_watermark: float, horizon_seconds: float) -> int:
        """Delete the blocks older than the horizon (a tombstone each); how many."""
        expired = self.marks.expired_blocks(partition, received_watermark, horizon_seconds)
        for key in expired:
            self.marks.drop_block(partition, key)
            self._write_block(partition, key, None)
        return len(expired)


async def load_changelog_event(marks: FeedbackMarks, event: Any) -> None:
    """A mark block Faust read back from the ``feedback-marks`` changelog (Table's on_changelog_event)."""
    message = event.message
    marks.load_block(message.partition, message.key, message.value)
