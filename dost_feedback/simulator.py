"""Sending simulated traffic through the web API or straight to Kafka, at a steady rate."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Callable

import httpx

from dost_contract import topics
from dost_contract.centers import CenterRegistry
from dost_contract.events import Channel, FeedbackSubmitted, utc_now
from dost_contract.settings import Settings
from dost_contract.settings.kafka import kafka_client_kwargs
from dost_simulation.ratings import CHANNEL_WEIGHTS, SimulatedRating, draw_feedback

# Through the web API the simulator is an integration client (its key scoped to the
# web and kiosk channels): SMS and QR ratings come only through their own endpoints.
WEB_API_CHANNELS = {Channel.KIOSK: 0.6, Channel.WEB: 0.4}
MAX_RETRY_SECONDS = 30.0


@dataclass
class SimulationStats:
    sent: int = 0
    accepted: int = 0
    retried: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)


async def _post_with_retry(client: httpx.AsyncClient, url: str, item: SimulatedRating, stats: SimulationStats) -> None:
    # Like a good kiosk: on 503 or a network error, retry the SAME feedback_id with backoff.
    delay = 0.5
    while True:
        try:
            response = await client.post(url, json=item.api_body())
        except httpx.HTTPError as exc:
            status, text = None, repr(exc)
        else:
            status, text = response.status_code, response.text
        if status == 202:
            stats.accepted += 1
            return
        if status is not None and status != 503:
            stats.rejected += 1
            stats.errors.append(f"{status}: {text[:200]}")
            return
        stats.retried += 1
        await asyncio.sleep(delay)
        delay = min(delay * 2, MAX_RETRY_SECONDS)


def _record_delivery(delivery: asyncio.Future, stats: SimulationStats) -> None:
    if delivery.cancelled() or delivery.exception() is not None:
        stats.rejected += 1
        stats.errors.append(f"kafka: {delivery.exception() if not delivery.cancelled() else 'cancelled'}")
    else:
        stats.accepted += 1


async def run_simulation(
    settings: Settings,
    registry: CenterRegistry,
    *,
    via: str,
    rate: float,
    count: int | None,
    duration: float | None,
    baseline_satisfaction: float,
    degraded: dict[str, float],
    seed: int | None,
    web_url: str,
    progress: Callable[[SimulationStats], None],
    progress_every_seconds: float = 5.0,
    client_key: str | None = None,
) -> SimulationStats:
    rng = random.Random(seed)
    centers = list(registry.centers)
    stats = SimulationStats()
    channels = WEB_API_CHANNELS if via == "web" else CHANNEL_WEIGHTS
    started = time.monotonic()
    last_progress = started
    pending: set[asyncio.Future] = set()

    producer = None
    client = None
    if via == "kafka":
        from aiokafka import AIOKafkaProducer

        producer = AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap_servers, acks="all", enable_idempotence=True,
            **kafka_client_kwargs(settings),
        )
        try:
            await producer.start()
        except BaseException:
            await producer.stop()  # or it warns of an unclosed producer on the way out
            raise
    else:
        headers = {"Authorization": f"Bearer {client_key}"} if client_key else {}
        client = httpx.AsyncClient(timeout=settings.publish_timeout_seconds + 5, headers=headers)
    url = web_url.rstrip("/") + "/api/v1/feedback"
    try:
        while True:
            elapsed = time.monotonic() - started
            if count is not None and stats.sent >= count:
                break
            if duration is not None and elapsed >= duration:
                break
            # Steady pacing: send whatever the schedule says is due by now.
            due = int(elapsed * rate) + 1 - stats.sent
            if count is not None:
                due = min(due, count - stats.sent)
            for _ in range(max(due, 0)):
                item = draw_feedback(rng, centers, utc_now(), baseline_satisfaction, degraded, channels)
                stats.sent += 1
                if producer is not None:
                    feedback = FeedbackSubmitted(**item.api_body(), received_at=utc_now())
                    key, value = feedback.to_kafka()
                    delivery = await producer.send(topics.FEEDBACK_SUBMITTED, value=value, key=key)
                    # Counted as accepted only once the broker acknowledges it.
                    delivery.add_done_callback(lambda done: _record_delivery(done, stats))
                    pending.add(delivery)
                    delivery.add_done_callback(pending.discard)
                else:
                    task = asyncio.create_task(_post_with_retry(client, url, item, stats))
                    pending.add(task)
                    task.add_done_callback(pending.discard)
            if time.monotonic() - last_progress >= progress_every_seconds:
                progress(stats)
                last_progress = time.monotonic()
            await asyncio.sleep(min(0.05, 1.0 / rate))
        if pending:
            await asyncio.gather(*pending)
    finally:
        if producer is not None:
            await producer.stop()
        if client is not None:
            await client.aclose()
    progress(stats)
    return stats
