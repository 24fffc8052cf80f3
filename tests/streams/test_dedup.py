"""FeedbackMarks: verdicts, blocks on the changelog and back, expiry by the horizon, sizes."""

from __future__ import annotations

import uuid

import pytest

from streams.dedup import MARK, MAX_MARKS_PER_BLOCK, FeedbackMarks, Verdict, block_key, decode_block, fingerprint

A, B = uuid.uuid4().bytes, uuid.uuid4().bytes
CONTENT = fingerprint("baku-1", None, "kiosk", 5, None)
OTHER = fingerprint("baku-1", None, "kiosk", 4, None)


def test_verdicts_follow_the_first_accepted_offset():
    marks = FeedbackMarks()
    assert marks.judge(5, A, CONTENT, 10) is Verdict.NEW
    marks.mark(5, A, CONTENT, 10, received=1000.0)
    assert marks.judge(5, A, CONTENT, 10) is Verdict.FIRST_AGAIN  # the same record read again
    assert marks.judge(5, A, CONTENT, 11) is Verdict.DUPLICATE
    assert marks.judge(5, A, OTHER, 12) is Verdict.CONFLICTING
    assert marks.judge(4, A, CONTENT, 11) is Verdict.NEW  # each partition decides alone
    assert marks.first_offset(5, A) == 10 and marks.first_offset(5, B) is None


def test_blocks_carry_a_batchs_marks_and_load_back_into_a_fresh_worker():
    marks = FeedbackMarks()
    marks.mark(5, A, CONTENT, 10, received=1000.0)
    marks.mark(5, B, OTHER, 11, received=1200.0)
    [(partition, key, value)] = marks.take_blocks()
    assert (partition, key) == (5, block_key(5, 10)) == (5, b"5:10")
    newest, entries = decode_block(value)
    assert newest == 1200 and list(entries) == [(A, CONTENT, 10), (B, OTHER, 11)]
    assert marks.take_blocks() == []  # taken once
    recovered = FeedbackMarks()
    recovered.load_block(partition, key, value)
    assert recovered.judge(5, B, OTHER, 11) is Verdict.FIRST_AGAIN and recovered.judge(5, A, OTHER, 99) is \
        Verdict.CONFLICTING
    assert recovered.size() == marks.size() == (2, 1, len(value))


def test_a_big_batch_is_split_into_blocks_far_below_a_megabyte():
    marks = FeedbackMarks()
    for offset in range(MAX_MARKS_PER_BLOCK + 5):
        marks.mark(0, uuid.UUID(int=offset).bytes, CONTENT, offset, received=1.0)
    blocks = marks.take_blocks()
    assert [key for _, key, _ in blocks] == [b"0:0", f"0:{MAX_MARKS_PER_BLOCK}".encode()]
    assert max(len(v) for _, _, v in blocks) == 8 + MARK.size * MAX_MARKS_PER_BLOCK < 1_000_000


def test_expired_blocks_are_dropped_with_their_marks_and_a_tombstone_drops_them_on_recovery():
    marks = FeedbackMarks()
    marks.mark(5, A, CONTENT, 10, received=1000.0)
    [(_, old_key, old_value)] = marks.take_blocks()
    marks.mark(5, B, CONTENT, 11, received=5000.0)
    [(_, new_key, _)] = marks.take_blocks()
    assert marks.expired_blocks(5, received_watermark=5999.0, horizon_seconds=5000) == []
    assert marks.expired_blocks(5, received_watermark=6000.0, horizon_seconds=5000) == [old_key]
    marks.drop_block(5, old_key)
    assert marks.judge(5, A, CONTENT, 12) is Verdict.NEW and marks.judge(5, B, CONTENT, 12) is Verdict.DUPLICATE
    assert marks.size()[:2] == (1, 1)
    recovered = FeedbackMarks()
    recovered.load_block(5, old_key, old_value)
    recovered.load_block(5, old_key, None)  # the tombstone
    assert recovered.judge(5, A, CONTENT, 12) is Verdict.NEW and recovered.size() == (0, 0, 0)


def test_a_malformed_block_is_refused_with_its_size():
    with pytest.raises(ValueError, match="13 bytes"):
        FeedbackMarks().load_block(0, b"0:0", b"x" * 13)
