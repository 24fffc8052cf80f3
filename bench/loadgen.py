"""A small HTTP/1.1 load generator for loopback benchmarks (keep-alive, no dependencies).

Two modes:
- closed loop: N connections send back to back for a fixed time (the most the server takes);
- open loop: requests are scheduled at a fixed rate and latency is measured from the
  *scheduled* time, so a stalled server cannot hide its queueing (no coordinated omission).
Both are bounded by time and count.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence


@dataclass
class LoadResult:
    sent: int = 0
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # seconds, accepted (202) only
    errors: int = 0
    elapsed: float = 0.0

    @property
    def accepted(self) -> int:
        return self.statuses.get(202, 0)

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]

    def summary(self) -> dict:
        return {
            "sent": self.sent, "accepted": self.accepted, "statuses": dict(self.statuses), "errors": self.errors,
            "elapsed_s": round(self.elapsed, 2), "accepted_per_s": round(self.accepted / self.elapsed, 1),
            "p50_ms": round(self.percentile(50) * 1000, 2), "p95_ms": round(self.percentile(95) * 1000, 2),
            "p99_ms": round(self.percentile(99) * 1000, 2), "max_ms": round(max(self.latencies, default=0) * 1000, 2),
        }


def post_request(host: str, port: int, path: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json",
             f"Content-Length: {len(body)}"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _connection(host: str, port: int, requests: Sequence[bytes], offset: int, result: LoadResult,
                      next_slot) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = offset
    try:
        while True:
            scheduled = await next_slot()
            if scheduled is None:
                return
            writer.write(requests[i % len(requests)])
            i += 1
            result.sent += 1
            try:
                status = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                result.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            result.statuses[status] += 1
            if status == 202:
                result.latencies.append(time.perf_counter() - scheduled)
    finally:
        writer.close()


async def closed_loop(host: str, port: int, requests: Sequence[bytes], connections: int, duration: float,
                      max_requests: int = 1_000_000) -> LoadResult:
    result = LoadResult()
    deadline = time.perf_counter() + duration
    issued = 0

    async def next_slot():
        nonlocal issued
        if time.perf_counter() >= deadline or issued >= max_requests:
            return None
        issued += 1
        return time.perf_counter()

    started = time.perf_counter()
    await asyncio.gather(*(_connection(host, port, requests, n * 7919, result, next_slot) for n in range(connections)))
    result.elapsed = time.perf_counter() - started
    return result


async def open_loop(host: str, port: int, requests: Sequence[bytes], rate: float, duration: float,
                    connections: int = 64) -> LoadResult:
    result = LoadResult()
    slots: asyncio.Queue = asyncio.Queue()
    total = int(rate * duration)

    async def schedule() -> None:
        start = time.perf_counter()
        for n in range(total):
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            slots.put_nowait(due)
        for _ in range(connections):
            slots.put_nowait(None)

    started = time.perf_counter()
    await asyncio.gather(schedule(), *(_connection(host, port, requests, n * 7919, result, slots.get)
                                       for n in range(connections)))
    result.elapsed = time.perf_counter() - started
    return result
