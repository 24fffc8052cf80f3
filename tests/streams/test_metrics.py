"""The worker's satisfaction collector: registry gauges come from the snapshot, whole."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from streams.metrics import SatisfactionCollector, SatisfactionSnapshot


def test_center_info_open_and_weekly_hours_follow_the_snapshot():
    registry = CollectorRegistry()
    collector = SatisfactionCollector()
    registry.register(collector)
    collector.update(SatisfactionSnapshot(
        targets={"baku-1": 0.985, "smart-agali": 0.985},
        info={"baku-1": ("baku", "city"), "smart-agali": ("east-zangezur", "smart_point")},
        open={"baku-1": True, "smart-agali": False},
        open_hours_per_week={"baku-1": 63.0, "smart-agali": 54.0},
    ))
    value = registry.get_sample_value
    assert value("dost_center_info", {"center_id": "baku-1", "region": "baku", "kind": "city"}) == 1
    assert value("dost_center_info", {"center_id": "smart-agali", "region": "east-zangezur", "kind": "smart_point"}) == 1
    assert value("dost_center_open", {"center_id": "baku-1"}) == 1
    assert value("dost_center_open", {"center_id": "smart-agali"}) == 0
    assert value("dost_center_open_hours_per_week", {"center_id": "smart-agali"}) == 54

    # Ownership moved: the center's gauges leave with it.
    collector.update(SatisfactionSnapshot(info={"baku-1": ("baku", "city")}, open={"baku-1": False}))
    assert value("dost_center_info", {"center_id": "smart-agali", "region": "east-zangezur", "kind": "smart_point"}) is None
    assert value("dost_center_open", {"center_id": "baku-1"}) == 0
