"""OffsetContinuity: records are admitted in offset order per partition; a hole is sought back."""

from __future__ import annotations

from dataclasses import dataclass

from streams.continuity import OffsetContinuity


@dataclass(frozen=True)
class At:
    partition: int
    offset: int


def offsets(records) -> list[tuple[int, int]]:
    return [(r.partition, r.offset) for r in records]


def test_contiguous_records_and_re_deliveries_are_admitted():
    continuity = OffsetContinuity()
    first = continuity.admit([At(0, 5), At(1, 9), At(0, 6), At(0, 7)], now=0)
    assert offsets(first.admitted) == [(0, 5), (1, 9), (0, 6), (0, 7)] and not first.seek_to
    again = continuity.admit([At(0, 6), At(0, 7), At(0, 8)], now=1)  # a seek or rebalance re-reads 6-7
    assert offsets(again.admitted) == [(0, 6), (0, 7), (0, 8)] and not again.seek_to


def test_records_after_a_left_out_one_are_held_back_until_it_comes_and_the_consumer_seeks_once():
    continuity = OffsetContinuity()
    continuity.admit([At(2, 10)], now=0)
    held = continuity.admit([At(2, 12), At(2, 13), At(3, 1)], now=1)  # 11 never came
    assert offsets(held.admitted) == [(3, 1)] and held.seek_to == {2: 11}
    still = continuity.admit([At(2, 14)], now=2)  # fetched before the seek took effect
    assert still.admitted == [] and still.seek_to == {}  # one seek per patience period
    resumed = continuity.admit([At(2, 11), At(2, 12), At(2, 13), At(2, 14)], now=3)
    assert offsets(resumed.admitted) == [(2, 11), (2, 12), (2, 13), (2, 14)]


def test_a_hole_that_seeks_never_fill_is_taken_as_real_after_the_last_seek():
    continuity = OffsetContinuity(max_seeks=2, patience_seconds=5)
    continuity.admit([At(0, 1)], now=0)
    assert continuity.admit([At(0, 3)], now=1).seek_to == {0: 2}
    assert continuity.admit([At(0, 3)], now=3).seek_to == {}
    assert continuity.admit([At(0, 3)], now=7).seek_to == {0: 2}
    gone_on = continuity.admit([At(0, 3), At(0, 4)], now=13)  # a transactional producer's control record
    assert offsets(gone_on.admitted) == [(0, 3), (0, 4)] and gone_on.given_up == {0: (2, 3)}


def test_a_partition_this_worker_no_longer_owns_is_forgotten():
    continuity = OffsetContinuity()
    continuity.admit([At(0, 1), At(1, 1)], now=0)
    continuity.keep_only({1})
    moved_on = continuity.admit([At(0, 500)], now=1)  # another owner counted 2..499 meanwhile
    assert offsets(moved_on.admitted) == [(0, 500)] and not moved_on.seek_to
