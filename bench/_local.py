"""Shared bench plumbing: an isolated real Kafka broker, a fast producer, a worker, RSS."""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

from dost_contract import topics
from dost_contract.events import ServiceGroup
from dost_contract.settings import Settings
from dost_feedback.stack import services as stack
from dost_feedback.stack.processes import Service, Supervisor, free_port
from streams.topic_setup import create_topics
from tests.conftest import metric_value

GROUPS = [g.value for g in ServiceGroup]


def isolated_settings(center_ids: list[str], **overrides) -> Settings:
    state = Path(tempfile.mkdtemp(prefix="dost-bench-"))
    registry = state / "centers.yaml"
    registry.write_text("centers:\n" + "".join(
        f"  - {{center_id: {c}, name: {{az: {c}, en: {c}}}, region: bench, kind: city}}\n" for c in center_ids
    ))
    return Settings(
        state_dir=state, centers_file=registry, kafka_bootstrap_servers=f"127.0.0.1:{free_port()}",
        kafka_controller_port=free_port(), kafka_heap="1g", **overrides,
    )


def start_kafka(settings: Settings, supervisor: Supervisor) -> None:
    stack.start_kafka(supervisor, settings)
    create_topics(settings)


def payloads(center_ids: list[str], count: int, days: int, seed: int = 1) -> list[tuple[bytes, bytes]]:
    """(key, value) records spread over ``days`` of history, every (center, group, day) covered."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    records = []
    for index in range(count):
        center = center_ids[index % len(center_ids)]
        group = GROUPS[(index // len(center_ids)) % len(GROUPS)]
        day = (index // (len(center_ids) * len(GROUPS))) % days
        received = now - timedelta(days=day, seconds=rng.uniform(0, 80000))
        value = {
            "schema_version": 1, "feedback_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "center_id": center, "service_group": group, "channel": "kiosk",
            "rating": rng.choice((5, 5, 5, 4, 4, 3, 1)),
            "submitted_at": (received - timedelta(seconds=30)).isoformat(), "received_at": received.isoformat(),
        }
        records.append((center.encode(), json.dumps(value).encode()))
    return records


async def produce(settings: Settings, records: list[tuple[bytes, bytes]]) -> float:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all",
                                linger_ms=20, max_batch_size=256 * 1024)
    await producer.start()
    started = time.perf_counter()
    try:
        futures = [await producer.send(topics.FEEDBACK_SUBMITTED, key=k, value=v) for k, v in records]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return time.perf_counter() - started


async def raw_consume(settings: Settings, count: int, parse: bool) -> float:
    """Baseline: a bare aiokafka consumer loop over the same records (optionally json.loads each)."""
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        topics.FEEDBACK_SUBMITTED, bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"bench-raw-{uuid.uuid4().hex[:6]}", auto_offset_reset="earliest", enable_auto_commit=False,
    )
    await consumer.start()
    seen = 0
    started = None
    try:
        while seen < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            if started is None and batches:
                started = time.perf_counter()
            for records in batches.values():
                for record in records:
                    if parse:
                        json.loads(record.value)
                seen += sum(len(r) for r in batches.values())
    finally:
        await consumer.stop()
    return time.perf_counter() - started


def processed(worker: Service) -> float:
    text = httpx.get(worker.url, timeout=5).text
    return sum(metric_value(text, "dost_worker_events_processed_total", outcome=o) or 0
               for o in ("counted", "duplicate", "replayed", "deadletter"))


def run_worker_until(worker: Service, count: int, timeout: float = 900) -> tuple[float, float]:
    """(seconds from first processed event to the count-th, peak RSS bytes of the worker)."""
    first = None
    peak_rss = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done = processed(worker)
        except httpx.HTTPError:
            done = 0
        peak_rss = max(peak_rss, rss_bytes(worker.process.pid))
        if done and first is None:
            first = (time.perf_counter(), done)
        if done >= count:
            elapsed = time.perf_counter() - first[0]
            # Scale up for the events already done at the first poll.
            return elapsed * count / max(count - first[1], 1), peak_rss
        time.sleep(0.5)  # a scrape costs the worker CPU: poll gently
    raise TimeoutError(f"worker processed only {processed(worker)} of {count}")


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def run_workers_until(workers: list[Service], count: int, timeout: float = 900) -> float:
    """Seconds from the first processed event to the count-th, summed over ``workers``."""
    first = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = 0.0
        for worker in workers:
            try:
                done += processed(worker)
            except httpx.HTTPError:
                pass
        if done and first is None:
            first = (time.perf_counter(), done)
        if done >= count:
            return (time.perf_counter() - first[0]) * count / max(count - first[1], 1)
        time.sleep(0.25)
    raise TimeoutError(f"workers processed only {done} of {count}")


def owns_partitions(worker: Service) -> float:
    try:
        return metric_value(httpx.get(worker.url, timeout=5).text, "dost_worker_assigned_partitions") or 0
    except httpx.HTTPError:
        return 0


def empty_topic(settings: Settings, topic: str = topics.FEEDBACK_SUBMITTED, timeout: float = 60) -> None:
    """Delete and re-create ``topic``, so a phase starts on an empty log (no backlog at a group's first
    rebalance: docs/benchmarks.md)."""
    from kafka import KafkaConsumer, TopicPartition
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        admin.delete_topics([topic])
        deadline = time.monotonic() + timeout
        while topic in admin.list_topics():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic} was not deleted within {timeout}s")
            time.sleep(0.2)
    finally:
        admin.close()
    create_topics(settings)
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        ends = consumer.end_offsets([TopicPartition(topic, p) for p in range(settings.topic_partitions)])
        assert set(ends.values()) == {0}, ends
    finally:
        consumer.close()
