"""``OffsetContinuity``: find the records of ``feedback.submitted`` that Faust never handed over.

A partition of ``feedback.submitted`` (not compacted, not written in transactions) has
contiguous offsets: after offset *o* comes *o* + 1. faust-streaming 0.15.3 breaks that
around a rebalance: ``Consumer._drain_messages`` marks a fetched record read even when
``wait_first`` returned on ``suspend_flow`` instead of handing it to the stream, and
``Consumer._new_offset`` lets the commit pass one missing record at the head of the acked
offsets (``min(acked) - committed > 1`` with ``committed`` already the next offset). Such a
record is gone for the process, may be committed past, and a later record of its
center-day would be counted first, so the day's offset would hide it.

So the agent checks each partition's offsets before it counts a batch. The first record
of a partition after (re)assignment is checked against the group's committed offset, every
later one against the offset after the last one seen. A hole comes back as an
``OffsetRange`` for the agent to read itself (``streams.gap_reader``), and the batch is
counted in offset order with those records in place. Offsets below the next expected one
are re-deliveries (a seek, a rebalance) and pass: the counter knows them.
Pure: the agent does the reading; nothing here talks to Kafka.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence, TypeVar


class _Positioned(Protocol):
    partition: int
    offset: int


Record = TypeVar("Record", bound=_Positioned)


@dataclass(frozen=True, slots=True)
class OffsetRange:
    """Offsets ``start`` up to, not including, ``stop`` of one partition."""

    partition: int
    start: int
    stop: int

    def __len__(self) -> int:
        return self.stop - self.start


class OffsetContinuity:
    """Per partition, the next offset the agent should be handed."""

    def __init__(self) -> None:
        self.expected: dict[int, int] = {}

    def unstarted(self, records: Iterable[_Positioned]) -> set[int]:
        """The partitions of ``records`` with no expected offset yet: ask for their committed ones."""
        return {record.partition for record in records if record.partition not in self.expected}

    def start(self, partition: int, next_offset: int) -> None:
        """``next_offset``: the group's committed offset for the partition (or its first offset)."""
        self.expected.setdefault(partition, next_offset)

    def holes(self, records: Iterable[_Positioned]) -> list[OffsetRange]:
        """The offsets missing before each record of ``records`` (in the order handed over), and
        move the expected offsets past them. Every partition must have been started."""
        found = []
        expected = self.expected
        for record in records:
            partition, offset = record.partition, record.offset
            following = expected[partition]
            if offset > following:
                found.append(OffsetRange(partition, following, offset))
            if offset >= following:
                expected[partition] = offset + 1
        return found

    def forget(self, partitions: Iterable[int]) -> None:
        """Partitions this worker no longer owns: another owner may move them on meanwhile."""
        for partition in partitions:
            self.expected.pop(partition, None)


def in_offset_order(records: Sequence[Record], found: Sequence[Record]) -> list[Record]:
    """``records`` with the ``found`` ones in place: each partition in offset order (a stable
    sort, so re-deliveries keep their place after the first copy)."""
    if not found:
        return list(records)
    return sorted([*records, *found], key=lambda record: (record.partition, record.offset))
