"""``OffsetContinuity``: notice a record Faust left out of the stream, and ask for it again.

``feedback.submitted`` is neither compacted nor written in transactions, so a partition's
offsets are contiguous: after offset *o* the next record is *o* + 1. faust-streaming 0.15.3
has been seen to break that right after a worker (re)starts: a record fetched while its
flow is suspended is marked read but never handed to the agent (``Consumer._drain_messages``
sets the read offset even when ``wait_first`` returned on ``suspend_flow``). Its offset is
never acknowledged, so the commit stops before it and the next start reads it again, but
within the process it is gone, and a later record of its center-day would be counted first.

So, per partition, the agent admits records in offset order only: a record past the next
expected offset is held back (not counted), and the agent seeks the consumer back to the
missing offset. Re-deliveries (offsets already passed) are admitted: the counter knows them.
If ``MAX_SEEKS`` seeks bring nothing at the missing offset, the hole is taken as real (a
control record of a transactional producer) and the partition goes on from there.
Pure: the agent does the seeking; the clock is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, TypeVar

MAX_SEEKS = 3
SEEK_PATIENCE_SECONDS = 5.0  # how long held-back records may keep coming before seeking again

Record = TypeVar("Record")


@dataclass
class _Hole:
    missing: int  # the offset expected and not delivered
    seeks: int = 0
    last_seek: float = float("-inf")


@dataclass
class Admission:
    admitted: list = field(default_factory=list)
    seek_to: dict[int, int] = field(default_factory=dict)  # partition -> offset to seek back to
    given_up: dict[int, tuple[int, int]] = field(default_factory=dict)  # partition -> (missing, resumed at)


class OffsetContinuity:
    def __init__(self, max_seeks: int = MAX_SEEKS, patience_seconds: float = SEEK_PATIENCE_SECONDS) -> None:
        self.max_seeks, self.patience_seconds = max_seeks, patience_seconds
        self.expected: dict[int, int] = {}  # partition -> the next offset it should deliver
        self.holes: dict[int, _Hole] = {}

    def admit(self, records: Iterable[Record], now: float) -> Admission:
        """The records to count, in order, and the seeks to make (each record has
        ``partition`` and ``offset``)."""
        result = Admission()
        for record in records:
            partition, offset = record.partition, record.offset
            expected = self.expected.get(partition)
            if expected is None or offset == expected:
                self.expected[partition] = offset + 1
                self.holes.pop(partition, None)
                result.admitted.append(record)
            elif offset < expected:
                result.admitted.append(record)  # read again (a seek, a rebalance): the counter knows it
            else:
                hole = self.holes.setdefault(partition, _Hole(expected))
                if hole.seeks >= self.max_seeks and now - hole.last_seek >= self.patience_seconds:
                    result.given_up[partition] = (hole.missing, offset)
                    del self.holes[partition]
                    self.expected[partition] = offset + 1
                    result.admitted.append(record)
                elif hole.seeks < self.max_seeks and now - hole.last_seek >= self.patience_seconds:
                    hole.seeks += 1
                    hole.last_seek = now
                    result.seek_to[partition] = hole.missing
        return result

    def keep_only(self, partitions: set[int]) -> None:
        """Forget the partitions this worker no longer owns: another owner may have moved them on."""
        for partition in list(self.expected):
            if partition not in partitions:
                del self.expected[partition]
                self.holes.pop(partition, None)
