"""Length-sorted mini-batches: padding every comment to the longest of a random batch wastes
most of the compute on short comments, so backends pad only within batches of similar length."""

from __future__ import annotations

from typing import Iterator, Sequence


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> Iterator[list[int]]:
    """Indices into ``lengths``, shortest first, in groups of at most ``batch_size``."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]
