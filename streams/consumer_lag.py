"""Consumer lag per partition, shared by the rating worker and the sentiment worker.

Lag is the number of records in a partition after the last one the agent took:
``highwater - last_offset - 1`` (the high watermark is the offset the *next* record will
get). Only partitions the process actively owns are reported; a partition that moved to
another worker on a rebalance is removed from the gauge, so a stale lag never lingers
(and never sums twice across workers).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from prometheus_client import Gauge


def partition_lag(highwater: int, last_offset: int) -> int:
    """Records not yet taken, given the high watermark and the offset of the last record taken."""
    return max(highwater - last_offset - 1, 0)


def lags(
    last_offsets: Mapping[int, int], owned: Iterable[int], highwater: Callable[[int], int | None]
) -> dict[int, int]:
    """partition -> lag for every owned partition that the agent has read from and whose
    high watermark is known (a partition not read since start-up has no last offset: its
    committed position is the consumer's business, and reporting it as 0 would hide nothing
    useful while reporting it from offset 0 would be wrong)."""
    result = {}
    for partition in owned:
        if partition not in last_offsets:
            continue
        mark = highwater(partition)
        if mark is not None:
            result[partition] = partition_lag(mark, last_offsets[partition])
    return result


def owned_partitions(app: Any, topic: str) -> set[int]:
    """Partitions of ``topic`` that the Faust ``app`` actively owns right now."""
    return {tp.partition for tp in app.assignor.assigned_actives() if tp.topic == topic}


class LagGauge:
    """Sets a ``{partition}`` gauge to the given lags and removes partitions no longer owned.

    The agent records each record it takes (``taken``); the timer reports (``report``)."""

    def __init__(self, gauge: Gauge) -> None:
        self.gauge = gauge
        self.partitions: set[int] = set()
        self.last_offsets: dict[Any, int] = {}  # Faust topic-partition -> offset of the last record taken

    def taken(self, tp: Any, offset: int) -> None:
        self.last_offsets[tp] = offset

    def update(self, current: Mapping[int, int]) -> None:
        for partition, lag in current.items():
            self.gauge.labels(str(partition)).set(lag)
        for partition in self.partitions - set(current):
            self.gauge.remove(str(partition))
        self.partitions = set(current)

    def report(self, app: Any, owned: Iterable[int]) -> None:
        """Set the lags of the ``owned`` partitions from the Faust ``app``'s high watermarks."""
        by_partition = {tp.partition: tp for tp in self.last_offsets}
        self.update(lags({tp.partition: offset for tp, offset in self.last_offsets.items()}, owned,
                         lambda partition: app.consumer.highwater(by_partition[partition])))
