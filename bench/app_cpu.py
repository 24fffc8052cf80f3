"""CPU per request of the web app alone: no network, no HTTP parsing, no Kafka.

Calls the ASGI app in-process with a valid rating and a publisher that only serialises
the event. ``time.process_time`` counts this process's CPU only, so the figure holds on
a busy machine too. It is the floor under bench/ingest.py's "web CPU per rating".

    .venv/bin/python -m bench.app_cpu [--requests 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time

from dost_contract.settings import Settings
from feedback_web.app import create_app


async def measure(requests: int, channel: str) -> dict:
    # The limits are lifted (one process is pushed as fast as it goes) but their buckets work as
    # in production: a client leases 100 tokens per store transaction (1000/s, burst 2000 by
    # default), a tablet's bucket is slow (no lease): one store transaction per rating.
    settings = Settings(state_dir=tempfile.mkdtemp(prefix="dost-app-cpu-"), kiosk_rate_limit_seconds=1e-6,
                        kiosk_rate_limit_burst=5, client_rate_limit_per_second=1e9, client_rate_limit_burst=1000)
    app = create_app(settings)

    async def publish(feedback) -> None:  # the event is built and serialised, not sent
        feedback.to_kafka()

    app.state.publisher.publish = publish
    headers = [(b"host", b"bench"), (b"content-type", b"application/json")]
    # Every rating carries a credential: a device token (kiosk) or an integration client key.
    if channel == "kiosk":
        _, token = app.state.store.add_device("baku-1", "bench")
    else:
        _, token = app.state.store.add_client("bench", None, ["web"])
    headers.append((b"authorization", f"Bearer {token}".encode()))
    body = json.dumps({"center_id": "baku-1", "rating": 5, "channel": channel, "comment": "Çox sağ olun"}).encode()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/api/v1/feedback", "raw_path": b"/api/v1/feedback", "query_string": b"", "root_path": "",
             "headers": headers + [(b"content-length", str(len(body)).encode())],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 2)}
    statuses: list[int] = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    for _ in range(500):  # warm up
        await app(scope, receive, send)
    statuses.clear()
    started = time.process_time()
    for _ in range(requests):
        await app(scope, receive, send)
    cpu = time.process_time() - started
    assert set(statuses) == {202}, set(statuses)
    return {"channel": channel, "requests": requests, "cpu_us_per_request": round(cpu / requests * 1e6, 1),
            "one_core_requests_per_s": round(requests / cpu)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    for channel in ("web", "kiosk"):
        print(json.dumps(asyncio.run(measure(min(args.requests, 100_000), channel))))


if __name__ == "__main__":
    main()
