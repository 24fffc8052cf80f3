"""The Watchdog heartbeat relay: counted always, POSTed to the dead-man's switch when configured."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from prometheus_client import CollectorRegistry, Counter

from monitoring.oncall.heartbeat import HeartbeatRelay

pytestmark = pytest.mark.timeout(30)


class SwitchServer:
    """A stand-in heartbeat service on loopback: records POSTs, answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                server.paths.append(self.path)
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/ping/abc"

    def close(self) -> None:
        self.httpd.shutdown()


def counter() -> Counter:
    return Counter("dost_oncall_heartbeats_total", "h", ["result"], registry=CollectorRegistry())


def value(total: Counter, result: str) -> float:
    return total.labels(result)._value.get()


@pytest.mark.parametrize(("status", "result"), [(200, "relayed"), (500, "failed")])
def test_each_heartbeat_is_posted_to_the_switch(status: int, result: str):
    switch = SwitchServer(status)
    total = counter()
    relay = HeartbeatRelay(switch.url, total, timeout_seconds=5, clock=lambda: 42.0)
    try:
        assert asyncio.run(relay.beat()) == result
        assert asyncio.run(relay.beat()) == result
    finally:
        switch.close()
    assert switch.paths == ["/ping/abc", "/ping/abc"] and relay.last_beat_at == 42.0
    assert value(total, result) == 2 and sum(value(total, r) for r in ("relayed", "failed", "not_configured")) == 2


def test_an_unreachable_switch_is_a_failed_relay_not_an_error():
    total = counter()
    relay = HeartbeatRelay("http://127.0.0.1:9/unreachable", total, timeout_seconds=2)
    assert asyncio.run(relay.beat()) == "failed" and value(total, "failed") == 1


def test_without_a_url_heartbeats_are_only_counted():
    total = counter()
    assert asyncio.run(HeartbeatRelay(None, total, timeout_seconds=1).beat()) == "not_configured"
    assert value(total, "not_configured") == 1 and value(total, "relayed") == 0
