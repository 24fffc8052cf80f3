"""Rating pipeline throughput, scale-out and memory, against baselines measured in the same run.

    .venv/bin/python -m bench.bench_rating_pipeline [--events 100000] [--memory-centers 1000]

1. Throughput: N ratings for 72 centers are produced to an isolated real Kafka broker
   (6 partitions). A raw aiokafka consumer reads them (with and without json.loads), a
   no-op Faust agent with the worker's Faust settings reads them (the baseline: Faust's
   own ceiling here), then one stream worker counts them. The ratio that matters is
   worker / no-op Faust agent.
2. Scale-out: one worker, then two workers, each a new consumer group on an emptied topic:
   once every partition is owned the same records are produced again, and the workers are
   timed from the first processed event to the last; the ratio is two / one.
3. Memory: a worker counts ratings covering 1,000 centers x 11 service groups x 30 days,
   and its peak RSS is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from bench._local import (
    empty_topic,
    isolated_settings,
    owns_partitions,
    payloads,
    produce,
    raw_consume,
    run_worker_until,
    run_workers_until,
    start_kafka,
)
from dost_contract.settings import Settings
from dost_feedback.stack import services as stack
from dost_feedback.stack.processes import Supervisor, free_port


def throughput(events: int, scale: bool) -> None:
    centers = [f"center-{i:03d}" for i in range(72)]
    settings = isolated_settings(centers)
    supervisor = Supervisor()
    try:
        start_kafka(settings, supervisor)
        records = payloads(centers, events, days=2)
        produce_seconds = asyncio.run(produce(settings, records))
        raw_seconds = asyncio.run(raw_consume(settings, events, parse=False))
        raw_json_seconds = asyncio.run(raw_consume(settings, events, parse=True))
        noop = subprocess.run(
            [sys.executable, "-m", "bench.faust_noop", settings.kafka_bootstrap_servers, str(events)],
            capture_output=True, text=True, timeout=900,
        )
        match = re.search(r"events_per_s (\d+)", noop.stdout)
        if match is None:
            raise RuntimeError(f"the no-op Faust agent printed no rate: {noop.stdout[-500:]}{noop.stderr[-2000:]}")
        noop_per_s = float(match.group(1))
        worker = supervisor.start(stack.worker(settings, metrics_port=free_port()), timeout=120)
        worker_seconds, peak_rss = run_worker_until(worker, events)
        worker.stop()
        result = {
            "events": events,
            "produce_per_s": events / produce_seconds,
            "raw_per_s": events / raw_seconds,
            "raw_json_per_s": events / raw_json_seconds,
            "faust_noop_per_s": noop_per_s,
            "worker_per_s": events / worker_seconds,
            "worker_rss_mb": peak_rss / 2**20,
        }
        print(
            f"throughput ({result['events']} ratings): produce {result['produce_per_s']:,.0f}/s; "
            f"raw aiokafka consume {result['raw_per_s']:,.0f}/s; raw + json.loads {result['raw_json_per_s']:,.0f}/s; "
            f"no-op Faust agent {result['faust_noop_per_s']:,.0f}/s; "
            f"worker {result['worker_per_s']:,.0f}/s = {result['worker_per_s'] / result['raw_per_s']:.1%} of raw, "
            f"{result['worker_per_s'] / result['faust_noop_per_s']:.0%} of no-op Faust; "
            f"worker RSS {result['worker_rss_mb']:.0f} MB", flush=True,
        )
        if scale:
            one = scale_out(settings, supervisor, records, 1)
            print(f"scale-out (72 centers, 6 partitions): one worker {one:,.0f}/s", flush=True)
            two = scale_out(settings, supervisor, records, 2)
            print(f"scale-out: two workers {two:,.0f}/s = {two / one:.2f}x one worker", flush=True)
    finally:
        supervisor.stop_all()


def scale_out(settings: Settings, supervisor: Supervisor, records: list[tuple[bytes, bytes]], workers: int) -> float:
    """Events/s of ``workers`` workers of a fresh group: on an emptied topic, once every partition is
    owned, the records are produced and timed from the first processed event to the last."""
    empty_topic(settings)
    group = Settings(**{**settings.model_dump(), "faust_app_id": f"bench-scale-{workers}-{time.monotonic_ns()}"})
    services = [stack.worker(group, index=10 * workers + i, metrics_port=free_port()) for i in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        started = list(pool.map(lambda service: supervisor.start(service, timeout=120), services))
    deadline = time.monotonic() + 300
    while True:
        owned = [owns_partitions(w) for w in started]
        if all(owned) and sum(owned) == settings.topic_partitions:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"{workers} workers never owned every partition: {owned}")
        time.sleep(0.2)
    time.sleep(2)  # let the assignment settle (a late rebalance is not throughput)
    asyncio.run(produce(settings, records))
    seconds = run_workers_until(started, len(records))
    for worker in started:
        worker.stop()
    return len(records) / seconds


def memory(center_count: int, days: int = 30, groups: int = 11) -> dict:
    centers = [f"center-{i:04d}" for i in range(center_count)]
    settings = isolated_settings(centers)
    events = center_count * groups * days
    supervisor = Supervisor()
    try:
        start_kafka(settings, supervisor)
        asyncio.run(produce(settings, payloads(centers, events, days=days)))
        worker = supervisor.start(stack.worker(settings, metrics_port=free_port()), timeout=120)
        seconds, peak_rss = run_worker_until(worker, events, timeout=1800)
    finally:
        supervisor.stop_all()
    return {"centers": center_count, "center_days": center_count * days, "events": events,
            "worker_per_s": events / seconds, "worker_rss_mb": peak_rss / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--memory-centers", type=int, default=1000)
    parser.add_argument("--no-scale-out", action="store_true", help="skip the one-vs-two-workers runs")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    throughput(args.events, scale=not args.no_scale_out)
    if args.memory_centers:
        mem = memory(args.memory_centers)
        print(
            f"memory ({mem['centers']} centers x 11 groups x 30 days, {mem['events']} ratings): "
            f"worker RSS {mem['worker_rss_mb']:.0f} MB, {mem['worker_per_s']:,.0f} ratings/s"
        )


if __name__ == "__main__":
    main()
