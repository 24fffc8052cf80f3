"""``FeedbackMarks``: each ``feedback_id`` counted once, ever (within the de-duplication horizon).

A mark says "this id was first accepted at this offset of this partition, with this
content". It is a dict entry per id, per ``feedback.submitted`` partition (a center's
ratings all arrive on one partition, so each partition decides alone and a rebalance
moves a partition's marks with it). The content fingerprint covers what a rating says
(center, service group, channel, rating, comment), not when it was stamped: a retry that
restamps ``submitted_at`` is the same rating, one that changes the rating is a conflict.

Marks reach the changelog as blocks: one record per partition per batch holding that
batch's new marks (32 bytes each, at most ``MAX_MARKS_PER_BLOCK``), keyed by the offset
of the first, so a record never grows with a day's volume and a batch costs one record,
not one per rating. A block is deleted (a tombstone) once every mark in it is older than
the horizon by ``received_at``. Pure logic: the Faust table is bound in ``streams.state``.

Why a count and its mark can never disagree after a SIGKILL: see ``judge`` and
docs/architecture.md ("Exactly once, by offsets").
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from enum import Enum
from typing import Iterator

MARK = struct.Struct(">16sQQ")  # feedback_id (UUID bytes), content fingerprint, source offset
HEADER = struct.Struct(">q")  # the newest received_at in the block (epoch seconds)
# 256 KiB at most, far below the 1 MB a Kafka record may hold (FACTS.md).
MAX_MARKS_PER_BLOCK = 8192
OFFSET_BITS = 40  # a mark is one int: fingerprint << 40 | offset (offsets below 2**40)
OFFSET_MASK = (1 << OFFSET_BITS) - 1


class Verdict(Enum):
    NEW = "new"  # never seen: count it
    FIRST_AGAIN = "first_again"  # the first accepted record itself, read again after a crash
    DUPLICATE = "duplicate"  # a later copy with the same content: counted once already
    CONFLICTING = "conflicting"  # a later copy with other content: the first one stands


def fingerprint(center_id: str, service_group: str | None, channel: str, rating: int, comment: str | None) -> int:
    """A stable 64-bit digest of what a rating says (not Python's hash(): that changes per process)."""
    text = f"{center_id}\x1f{service_group or ''}\x1f{channel}\x1f{rating}\x1f{comment or ''}"
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def block_key(partition: int, first_offset: int) -> bytes:
    return f"{partition}:{first_offset}".encode()


def encode_block(newest_received: float, marks: list[tuple[bytes, int, int]]) -> bytes:
    return HEADER.pack(int(newest_received)) + b"".join(MARK.pack(*mark) for mark in marks)


def decode_block(value: bytes) -> tuple[int, Iterator[tuple[bytes, int, int]]]:
    """(newest received_at, the marks) of a block record; raises ValueError on a malformed one."""
    if len(value) < HEADER.size or (len(value) - HEADER.size) % MARK.size:
        raise ValueError(f"a feedback-marks block of {len(value)} bytes is not a header plus 32-byte marks")
    (newest,) = HEADER.unpack_from(value)
    return newest, MARK.iter_unpack(value[HEADER.size:])


@dataclass
class _Pending:
    marks: list[tuple[bytes, int, int]]
    newest_received: float


class FeedbackMarks:
    """The marks of every partition this worker holds, and the blocks that carry them."""

    def __init__(self) -> None:
        self.by_partition: dict[int, dict[bytes, int]] = {}
        # partition -> block key -> block value, kept to know which marks a deletion drops
        self.blocks: dict[int, dict[bytes, bytes]] = {}
        self._pending: dict[int, _Pending] = {}
        self.block_bytes = 0  # the sum of len(value) over self.blocks, kept as they change

    def _keep_block(self, partition: int, key: bytes, value: bytes) -> None:
        old = self.blocks.setdefault(partition, {}).get(key)
        self.block_bytes += len(value) - (len(old) if old is not None else 0)
        self.blocks[partition][key] = value

    def judge(self, partition: int, feedback_id: bytes, content: int, offset: int) -> Verdict:
        """What the record at ``offset`` is, given the marks.

        Records are judged in log order, so the first accepted version of an id always has
        the lowest offset and its mark names that offset. Reading that record again (after
        a crash, before its offset was committed) is ``FIRST_AGAIN``: whether it still has
        to be counted is then up to its center-day's own offset, not to the mark.
        """
        mark = self.by_partition.get(partition, {}).get(feedback_id)
        if mark is None:
            return Verdict.NEW
        if mark & OFFSET_MASK == offset:
            return Verdict.FIRST_AGAIN
        return Verdict.DUPLICATE if mark >> OFFSET_BITS == content else Verdict.CONFLICTING

    def first_offset(self, partition: int, feedback_id: bytes) -> int | None:
        mark = self.by_partition.get(partition, {}).get(feedback_id)
        return None if mark is None else mark & OFFSET_MASK

    def mark(self, partition: int, feedback_id: bytes, content: int, offset: int, received: float) -> None:
        self.by_partition.setdefault(partition, {})[feedback_id] = (content << OFFSET_BITS) | offset
        pending = self._pending.get(partition)
        if pending is None:
            self._pending[partition] = _Pending([(feedback_id, content, offset)], received)
        else:
            pending.marks.append((feedback_id, content, offset))
            pending.newest_received = max(pending.newest_received, received)

    def take_blocks(self) -> list[tuple[int, bytes, bytes]]:
        """(partition, key, value) for the changelog: the marks made since the last call."""
        blocks = []
        for partition, pending in self._pending.items():
            for start in range(0, len(pending.marks), MAX_MARKS_PER_BLOCK):
                chunk = pending.marks[start:start + MAX_MARKS_PER_BLOCK]
                key, value = block_key(partition, chunk[0][2]), encode_block(pending.newest_received, chunk)
                self._keep_block(partition, key, value)
                blocks.append((partition, key, value))
        self._pending.clear()
        return blocks

    def load_block(self, partition: int, key: bytes, value: bytes | None) -> None:
        """A block read back from the changelog (recovery, standby); ``None`` deletes it."""
        if value is None:
            self._drop_block(partition, key)
            return
        _, marks = decode_block(value)
        by_id = self.by_partition.setdefault(partition, {})
        for feedback_id, content, offset in marks:
            by_id[feedback_id] = (content << OFFSET_BITS) | offset
        self._keep_block(partition, key, value)

    def expired_blocks(self, partition: int, received_watermark: float, horizon_seconds: float) -> list[bytes]:
        """Keys of the blocks whose newest mark is older than the horizon, by the partition's received_at."""
        return [key for key, value in self.blocks.get(partition, {}).items()
                if HEADER.unpack_from(value)[0] + horizon_seconds <= received_watermark]

    def drop_block(self, partition: int, key: bytes) -> None:
        self._drop_block(partition, key)

    def _drop_block(self, partition: int, key: bytes) -> None:
        value = self.blocks.get(partition, {}).pop(key, None)
        if value is None:
            return
        self.block_bytes -= len(value)
        by_id = self.by_partition.get(partition, {})
        _, marks = decode_block(value)
        for feedback_id, _, offset in marks:
            mark = by_id.get(feedback_id)
            if mark is not None and mark & OFFSET_MASK == offset:  # a later block may hold it again
                del by_id[feedback_id]

    def size(self) -> tuple[int, int, int]:
        """(marks, blocks, block bytes) held: the state's growth, for the state-size gauges."""
        marks = sum(len(by_id) for by_id in self.by_partition.values())
        blocks = sum(len(keys) for keys in self.blocks.values())
        return marks, blocks, self.block_bytes
