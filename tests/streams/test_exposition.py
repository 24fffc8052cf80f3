"""CachedExposition: the same /metrics as prometheus_client renders, the window gauges rendered once per snapshot."""

from __future__ import annotations

import socket

import httpx
import pytest
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.parser import text_string_to_metric_families

from dost_contract import metric_names
from streams.detector import DetectorReading
from streams.exposition import CachedExposition, _Families, render_plain_gauges, start_metrics_server
from streams.metrics import SatisfactionCollector, SatisfactionSnapshot, snapshot_families
from streams.scoring import ALL_GROUPS, Tally

OPENMETRICS = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"


def snapshot(ratings: int) -> SatisfactionSnapshot:
    windows = {"baku-1": {ALL_GROUPS: {"1h": Tally(ratings, ratings - 1), "24h": Tally(0, 0)},
                          "pensions": {"1h": Tally(ratings, 1)},
                          'sosial "xidmət"\\\n': {"7d": Tally(ratings, 2)}}}  # a group name that needs escaping
    return SatisfactionSnapshot(windows=windows, targets={"baku-1": 0.985}, info={"baku-1": ("baku", "regional")},
                                open={"baku-1": True}, open_hours_per_week={"baku-1": 45.0},
                                detectors={"baku-1": (DetectorReading("fast", 7, 7, False, 1_700_000_000, 9, 4),)})


def setup() -> tuple[CollectorRegistry, SatisfactionCollector, CachedExposition]:
    registry = CollectorRegistry()
    Counter("bench_events", "Events.", ["outcome"], registry=registry).labels("counted").inc(3)
    collector = SatisfactionCollector()
    collector.update(snapshot(5))
    return registry, collector, CachedExposition(registry, collector)


def count_one_more(registry: CollectorRegistry) -> None:
    Counter("bench_more", "Another series, registered between two scrapes.", registry=registry).inc()


def everything(registry: CollectorRegistry, collector: SatisfactionCollector) -> CollectorRegistry:
    both = CollectorRegistry()
    for part in (registry, collector):
        both.register(part)
    return both


def test_both_formats_equal_prometheus_client_rendering_the_registry_with_the_collector():
    registry, collector, exposition = setup()
    for accept in (None, OPENMETRICS):
        body, content_type = exposition.render(accept)
        encoder, expected_type = choose_encoder(accept or "")
        assert content_type == expected_type
        assert body == encoder(everything(registry, collector))
    assert body.endswith(b"# EOF\n") and body.count(b"# EOF") == 1


def test_the_fast_plain_rendering_equals_generate_latest_and_takes_gauges_only():
    families = list(snapshot_families(snapshot(3)))
    assert render_plain_gauges(families) == generate_latest(_Families(families))
    with pytest.raises(ValueError, match="only gauges"):
        render_plain_gauges([CounterMetricFamily("bench_things", "Things.", value=1)])


def test_the_window_gauges_are_rendered_once_per_snapshot_and_the_rest_at_every_scrape():
    registry, collector, exposition = setup()
    first, _ = exposition.render(None)
    count_one_more(registry)
    second, _ = exposition.render(None)
    assert exposition.renderings == 1
    assert b"bench_more_total 1.0" in second and second != first
    collector.update(snapshot(8))
    third, _ = exposition.render(None)
    assert exposition.renderings == 2
    assert metric_names.CENTER_RATINGS.encode() + b'{center_id="baku-1",window="1h"} 8.0' in third
    assert third == generate_latest(everything(registry, collector))


def test_the_server_answers_get_gzipped_and_refuses_other_methods():
    _, _, exposition = setup()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = start_metrics_server(exposition, port, "127.0.0.1")
    try:
        reply = httpx.get(f"http://127.0.0.1:{port}/metrics", headers={"Accept-Encoding": "gzip"})
        assert reply.status_code == 200 and reply.headers["content-encoding"] == "gzip"
        assert reply.content == exposition.render(None)[0]  # httpx decoded the gzip
        names = {family.name for family in text_string_to_metric_families(reply.text)}
        assert {"bench_events", metric_names.CENTER_RATINGS, metric_names.CENTER_CHANGE_SCORE} <= names
        assert httpx.post(f"http://127.0.0.1:{port}/metrics").status_code == 405
        plain = httpx.get(f"http://127.0.0.1:{port}/metrics", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == reply.content
    finally:
        server.shutdown()
        server.server_close()
