"""Finding the records Faust did not hand over: the pure offset bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass

from streams.continuity import OffsetContinuity, OffsetRange, in_offset_order


@dataclass(frozen=True)
class At:
    partition: int
    offset: int


def started(**next_offsets: int) -> OffsetContinuity:
    continuity = OffsetContinuity()
    for partition, offset in next_offsets.items():
        continuity.start(int(partition.removeprefix("p")), offset)
    return continuity


def test_contiguous_offsets_have_no_holes_across_batches():
    continuity = started(p0=10, p1=0)
    assert continuity.holes([At(0, 10), At(1, 0), At(0, 11), At(1, 1)]) == []
    assert continuity.holes([At(0, 12), At(1, 2)]) == []
    assert continuity.expected == {0: 13, 1: 3}


def test_a_record_left_out_in_the_middle_is_a_hole_of_its_partition_only():
    continuity = started(p0=10, p1=0)
    assert continuity.holes([At(0, 10), At(1, 0), At(0, 13), At(1, 1)]) == [OffsetRange(0, 11, 13)]
    assert len(OffsetRange(0, 11, 13)) == 2
    # across batches too: the next batch must start where the last one ended
    assert continuity.holes([At(1, 3)]) == [OffsetRange(1, 2, 3)]


def test_the_first_record_is_checked_against_the_committed_offset():
    continuity = OffsetContinuity()
    assert continuity.unstarted([At(0, 7), At(2, 1)]) == {0, 2}
    continuity.start(0, 5)
    continuity.start(2, 1)
    assert continuity.unstarted([At(0, 7), At(2, 1)]) == set()
    assert continuity.holes([At(0, 7), At(2, 1)]) == [OffsetRange(0, 5, 7)]


def test_re_deliveries_below_the_expected_offset_are_no_holes_and_do_not_move_it_back():
    continuity = started(p0=0)
    assert continuity.holes([At(0, 0), At(0, 1), At(0, 2)]) == []
    assert continuity.holes([At(0, 1), At(0, 2), At(0, 3)]) == []  # a seek back, then on
    assert continuity.expected == {0: 4}


def test_start_keeps_an_offset_already_known():
    continuity = started(p0=40)
    continuity.start(0, 3)  # a committed offset behind what this process has seen
    assert continuity.expected == {0: 40}


def test_forgotten_partitions_start_again_from_the_commit():
    continuity = started(p0=40, p1=9)
    continuity.forget([0, 5])
    assert continuity.expected == {1: 9}
    assert continuity.unstarted([At(0, 100)]) == {0}


def test_records_found_are_put_in_offset_order_per_partition():
    batch = [At(0, 10), At(1, 0), At(0, 13), At(1, 1)]
    found = [At(0, 12), At(0, 11)]
    ordered = in_offset_order(batch, found)
    assert [(r.partition, r.offset) for r in ordered] == [(0, 10), (0, 11), (0, 12), (0, 13), (1, 0), (1, 1)]
    assert in_offset_order(batch, []) == batch
