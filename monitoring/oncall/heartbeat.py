"""The dead-man's switch relay: each Watchdog heartbeat from Alertmanager is passed on to an
external heartbeat service (``DOST_HEARTBEAT_URL``), which pages when they stop.

The external service is what notices the whole alert path dying (Prometheus, its rules,
Alertmanager, this receiver, or the network between them): nothing inside can report its
own death. A failed relay is logged and counted, never retried here: the next heartbeat
comes one Alertmanager group interval later, and the service's grace period absorbs a miss.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

import httpx
from prometheus_client import Counter

logger = logging.getLogger("dost.oncall.heartbeat")

RESULTS = ("relayed", "failed", "not_configured")


class HeartbeatRelay:
    """Counts every heartbeat in ``heartbeats_total{result}`` and POSTs it to ``url`` if set."""

    def __init__(self, url: str | None, heartbeats_total: Counter, timeout_seconds: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.url = url
        self.heartbeats_total = heartbeats_total
        self.timeout_seconds = timeout_seconds
        self.clock = clock
        self.last_beat_at: float | None = None
        for result in RESULTS:
            heartbeats_total.labels(result)

    async def beat(self) -> str:
        """Relay one heartbeat; the result (one of ``RESULTS``)."""
        self.last_beat_at = self.clock()
        result = "not_configured"
        if self.url:
            try:
                async with httpx.AsyncClient(timeout=self.timeout_seconds) as client:
                    response = await client.post(self.url, content=b"")
                response.raise_for_status()
                result = "relayed"
            except httpx.HTTPError as exc:
                logger.error("could not relay the Watchdog heartbeat to the dead-man's switch: %s", exc)
                result = "failed"
        self.heartbeats_total.labels(result).inc()
        return result
