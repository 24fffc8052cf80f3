"""Consumer lag per partition (shared by the rating and sentiment workers)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge

from streams.consumer_lag import LagGauge, lags, partition_lag


def test_partition_lag_counts_records_after_the_last_taken():
    assert partition_lag(highwater=10, last_offset=9) == 0  # offsets 0..9, all taken
    assert partition_lag(highwater=15, last_offset=9) == 5
    assert partition_lag(highwater=3, last_offset=9) == 0  # a stale high watermark is never negative


def test_lags_only_for_owned_partitions_read_since_start_with_a_known_highwater():
    highwaters = {0: 100, 1: 50, 2: None, 3: 70}
    result = lags({0: 89, 1: 49, 2: 5, 4: 1}, owned={0, 1, 2, 3}, highwater=highwaters.get)
    # 2: no high watermark yet; 3: owned but not read since start; 4: not owned.
    assert result == {0: 10, 1: 0}


def test_lag_gauge_removes_partitions_that_moved_away():
    registry = CollectorRegistry()
    gauge = LagGauge(Gauge("lag_messages", "lag", ["partition"], registry=registry))
    gauge.update({0: 5, 1: 7})
    assert registry.get_sample_value("lag_messages", {"partition": "1"}) == 7
    gauge.update({0: 2})  # partition 1 went to another worker on a rebalance
    assert registry.get_sample_value("lag_messages", {"partition": "0"}) == 2
    assert registry.get_sample_value("lag_messages", {"partition": "1"}) is None
