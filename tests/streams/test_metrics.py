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


def test_detector_gauges_carry_the_score_and_the_excursion_only_while_there_is_one():
    from dost_contract import metric_names
    from streams.detector import DetectorReading

    collector = SatisfactionCollector()
    collector.update(SatisfactionSnapshot(detectors={
        "baku-1": (DetectorReading("small", 1403, 1200, True, 1_790_000_000, 1150, 31),
                   DetectorReading("large", 0, 0, False, None))}))
    registry = CollectorRegistry()
    registry.register(collector)
    get = registry.get_sample_value
    assert get(metric_names.CENTER_CHANGE_SCORE, {"center_id": "baku-1", "detector": "small"}) == 1403
    assert get(metric_names.CENTER_CHANGE_SCORE, {"center_id": "baku-1", "detector": "large"}) == 0
    small = {"center_id": "baku-1", "detector": "small"}
    assert (get(metric_names.CENTER_CHANGE_SINCE, small), get(metric_names.CENTER_CHANGE_RATINGS, small),
            get(metric_names.CENTER_CHANGE_UNSATISFIED, small)) == (1_790_000_000, 1150, 31)
    assert get(metric_names.CENTER_CHANGE_SINCE, {"center_id": "baku-1", "detector": "large"}) is None
