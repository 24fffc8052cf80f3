"""A Faust agent that only counts events: the ceiling any Faust agent has on this machine.

    python -m bench.faust_noop BOOTSTRAP COUNT   -> prints "events_per_s N" and exits

It runs with the rating worker's own Faust settings and batch size (``streams.app``), so
the worker is judged against the same Faust, doing nothing.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid

import faust

from dost_contract import topics
from dost_contract.settings import Settings
from streams.app import RATING_WORKER_TUNING


def main() -> None:
    bootstrap, count = sys.argv[1], int(sys.argv[2])
    app = faust.App(
        f"bench-noop-{uuid.uuid4().hex[:6]}", broker=f"kafka://{bootstrap}", store="memory://",
        datadir=tempfile.mkdtemp(), broker_session_timeout=6, broker_heartbeat_interval=1,
        web_enabled=False, consumer_auto_offset_reset="earliest", **RATING_WORKER_TUNING,
    )
    settings = Settings()
    topic = app.topic(topics.FEEDBACK_SUBMITTED, key_type=bytes, value_type=bytes,
                      key_serializer="raw", value_serializer="raw")
    seen = {"events": 0, "started": 0.0}

    @app.agent(topic)
    async def count_only(stream):
        async for events in stream.take_events(settings.rating_batch_size, within=settings.rating_batch_seconds):
            if not seen["started"]:
                seen["started"] = time.perf_counter()
            seen["events"] += len(events)
            if seen["events"] >= count:
                rate = seen["events"] / (time.perf_counter() - seen["started"])
                # The raw descriptor: Faust's worker redirects sys.stdout into its logger.
                os.write(1, f"events_per_s {rate:.0f}\n".encode())
                os._exit(0)

    faust.Worker(app, loglevel="error", quiet=True).execute_from_commandline()


if __name__ == "__main__":
    main()
