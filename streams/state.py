"""The worker's changelog-backed state: one ``CenterDay`` per (center, UTC day), and the marks.

Writes go straight to the table's data and to its changelog, in the partition of the
center (the partition its ratings arrive on). That is what lets the agent write each
touched center-day once per batch, whichever event of the batch is current.
The worker binds the store to a Faust table's data and to ``ChangelogWrites``; anything
with a mapping and a changelog sink works the same (the unit tests use a dict and a list).

``MarkStore`` does the same for ``streams.dedup.FeedbackMarks``: its blocks go to the
``feedback-marks`` changelog in their partition, and blocks read back from it (recovery,
standby replicas) are loaded into the marks as Faust reads them.

``ChangelogWrites`` is the sink the worker binds both stores to: it collects a batch's
records and sends them to the producer in one go after the batch.
"""

from __future__ import annotations

import asyncio
import logging
import os
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


class ChangelogWrites:
    """The batch's changelog records (and its misrouted ratings), sent straight to the producer
    once the batch is counted.

    Straight to aiokafka, not through Faust's ``send_changelog`` buffer: Faust's per-record
    path cost ~0.3 ms a record, more than counting the batch (docs/benchmarks.md). The
    guarantee is unchanged: Faust flushes this same producer before it commits offsets.
    The mark blocks go first and ``send`` waits for the broker to acknowledge them before it
    sends the center-days, so a day on the broker implies the marks of what it counts.
    The values are the JSON the tables' codecs read back on recovery (center-days) or raw
    bytes (mark blocks, forwarded ratings)."""

    def __init__(self, days_topic: str, marks_topic: str, source_topic: str) -> None:
        self.days_topic, self.marks_topic, self.source_topic = days_topic, marks_topic, source_topic
        self.pending: list[tuple[str, int, bytes, bytes | None]] = []

    def day(self, partition: int, key: str, day: CenterDay | None) -> None:
        value = None if day is None else orjson.dumps(day.__json__())  # None: a tombstone
        self.pending.append((self.days_topic, partition, orjson.dumps(key), value))

    def block(self, partition: int, key: bytes, value: bytes | None) -> None:
        self.pending.append((self.marks_topic, partition, key, value))

    def forward(self, partition: int, key: bytes | None, value: bytes | None) -> None:
        """A rating that arrived on another partition, re-sent unchanged to its center's one."""
        self.pending.append((self.source_topic, partition, key, value))

    async def send(self, producer: Any) -> None:
        pending, self.pending = self.pending, []
        marks = [record for record in pending if record[0] == self.marks_topic]
        if marks:
            delivered = []
            for topic, partition, key, value in marks:
                sent = await producer.send(topic, key, value, partition, None, None)
                sent.add_done_callback(_exit_if_failed)
                delivered.append(sent)
            await asyncio.gather(*delivered, return_exceptions=True)  # a failure exits in the callback
        for topic, partition, key, value in pending:
            if topic != self.marks_topic:
                sent = await producer.send(topic, key, value, partition, None, None)
                sent.add_done_callback(_exit_if_failed)


def _exit_if_failed(sent: Any) -> None:
    if not sent.cancelled() and sent.exception() is not None:
        # A lost changelog record must never be followed by an offset commit: stop now, and the
        # restarted worker replays from the last commit (the stack and compose restart it).
        logging.getLogger(__name__).critical("a changelog record could not be written: %r; exiting",
                                             sent.exception())
        os._exit(70)
