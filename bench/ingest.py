"""Ingest benchmark: how many ratings per second the web accepts, broker acks included.

Starts a private single-node Kafka and the web on loopback (temporary state, free ports),
with every request carrying a credential (an integration client key, or with --channel
kiosk a device token) checked as in production. It measures, in one run so the numbers
share the machine's conditions:
1. baseline: a bare aiokafka produce loop with the web's producer settings (acks=all,
   idempotent), as many in flight as the load generator has connections;
2. the web at full speed: closed loop, N keep-alive connections, for D seconds;
3. the web at a fixed 500/s: open loop, latency from each request's scheduled time;
and checks that the broker holds every accepted record. Everything is bounded by time.

    .venv/bin/python -m bench.ingest                     # one web process
    .venv/bin/python -m bench.ingest --web-workers 2     # two processes on the port
    .venv/bin/python -m bench.ingest --channel kiosk     # device tokens instead of a client key

Not a test: run it by hand and record the results in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

from bench.loadgen import closed_loop, open_loop, post_request
from dost_contract import topics
from dost_contract.settings import Settings, settings_env
from dost_feedback.stack import services as stack
from dost_feedback.stack.processes import Service, Supervisor, free_port, http_ok, require_free_port
from streams.topic_setup import create_topics

CENTERS = ["baku-1", "baku-2", "baku-3", "baku-4", "baku-5", "baku-6", "karabakh-barda", "karabakh-shusha",
           "smart-agali"]


def request_bodies(count: int, channel: str) -> list[bytes]:
    rng = random.Random(7)
    bodies = []
    for _ in range(count):
        body = {"center_id": rng.choice(CENTERS), "rating": rng.choice([5, 5, 5, 4, 4, 3, 2, 1]), "channel": channel,
                "service_group": rng.choice(["pensions", "employment", "disability", None])}
        if rng.random() < 0.2:
            body["comment"] = rng.choice(["Çox sağ olun", "Növbə uzun idi", "Всё хорошо", "Great service"])
        bodies.append(json.dumps(body, ensure_ascii=False).encode())
    return bodies


def web_service(settings: Settings, workers: int, extra_env: dict[str, str]) -> Service:
    require_free_port("web", settings.web_host, settings.web_port)
    base = f"http://{settings.web_host}:{settings.web_port}"
    return Service(
        name="web", argv=stack.cli_argv("web", "--workers", str(workers)),
        log_path=stack.logs_dir(settings) / "web.log", ready=lambda: http_ok(f"{base}/healthz"),
        env={**settings_env(settings), **extra_env}, url=base,
    )


async def baseline_produce(settings: Settings, bodies: list[bytes], in_flight: int, duration: float) -> dict:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all",
                                enable_idempotence=True, linger_ms=1)
    await producer.start()
    latencies: list[float] = []
    deadline = time.perf_counter() + duration

    async def loop(n: int) -> None:
        i = n
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await producer.send_and_wait(topics.FEEDBACK_SUBMITTED, value=bodies[i % len(bodies)], key=b"baku-1")
            latencies.append(time.perf_counter() - started)
            i += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(n) for n in range(in_flight)))
    elapsed = time.perf_counter() - started
    await producer.stop()
    latencies.sort()
    return {"acked": len(latencies), "elapsed_s": round(elapsed, 2), "acked_per_s": round(len(latencies) / elapsed, 1),
            "p99_ms": round(latencies[int(0.99 * len(latencies))] * 1000, 2)}


def cpu_seconds(pid: int) -> float:
    """User+system CPU of a process and its children (uvicorn's worker processes), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1] is the parent pid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def end_offsets_total(settings: Settings) -> int:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        partitions = [TopicPartition(topics.FEEDBACK_SUBMITTED, p)
                      for p in consumer.partitions_for_topic(topics.FEEDBACK_SUBMITTED)]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase (max 60)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rate", type=float, default=500.0, help="open-loop rate, requests/s")
    parser.add_argument("--web-workers", type=int, default=1)
    parser.add_argument("--channel", choices=["web", "kiosk"], default="web")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    duration = min(args.duration, 60.0)

    state = Path(tempfile.mkdtemp(prefix="dost-bench-"))
    settings = Settings(state_dir=state, kafka_bootstrap_servers=f"127.0.0.1:{free_port()}",
                        kafka_controller_port=free_port(), web_port=free_port(), kafka_heap="1g")
    supervisor = Supervisor()
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                     "config": {**vars(args), "json": None, "duration": duration}}
    try:
        print(f"starting kafka and {args.web_workers} web process(es) under {state} ...", file=sys.stderr)
        stack.start_kafka(supervisor, settings)
        create_topics(settings)
        from dost_channels.store import ChannelStore

        # Every rating carries a credential, checked as in production (store lookup, shared
        # rate-limit bucket); the limits are lifted so the checks, not refusals, are measured.
        store = ChannelStore(settings.channels_database)
        headers: dict[str, str] = {"Authorization": f"Bearer {store.add_client('bench', None, ['web'])[1]}"}
        extra_env: dict[str, str] = {"DOST_WEB_ACCESS_LOG": "false", "DOST_CLIENT_RATE_LIMIT_PER_SECOND": "1000000",
                                     "DOST_CLIENT_RATE_LIMIT_BURST": "1000000"}
        if args.channel == "kiosk":
            # One tablet per center: device token, shared bucket and the repeated-press rules.
            tokens = {c: store.add_device(c, "bench")[1] for c in CENTERS}
            extra_env |= {"DOST_KIOSK_RATE_LIMIT_SECONDS": "0.000001", "DOST_KIOSK_RATE_LIMIT_BURST": "1000000"}
        web = supervisor.start(web_service(settings, args.web_workers, extra_env), timeout=60)
        host, port = settings.web_host, settings.web_port
        bodies = request_bodies(500, args.channel)

        def requests_for(bodies_: list[bytes]) -> list[bytes]:
            out = []
            for body in bodies_:
                if args.channel == "kiosk":
                    headers["Authorization"] = f"Bearer {tokens[json.loads(body)['center_id']]}"
                out.append(post_request(host, port, "/api/v1/feedback", body, headers))
            return out

        requests = requests_for(bodies)
        offsets_before = end_offsets_total(settings)
        print("warm-up ...", file=sys.stderr)
        asyncio.run(closed_loop(host, port, requests, args.connections, 3.0))

        print("baseline: bare aiokafka produce loop ...", file=sys.stderr)
        results["baseline_produce"] = asyncio.run(baseline_produce(settings, bodies, args.connections, duration))

        print(f"closed loop: {args.connections} connections for {duration:g} s ...", file=sys.stderr)
        kafka_pid = supervisor.services[0].process.pid
        web_cpu, kafka_cpu, load_before = cpu_seconds(web.process.pid), cpu_seconds(kafka_pid), load_average()
        closed = asyncio.run(closed_loop(host, port, requests, args.connections, duration))
        results["web_max"] = closed.summary()
        # CPU per accepted rating does not depend on what else the machine runs: it says
        # how many cores a target rate needs.
        web_cpu = cpu_seconds(web.process.pid) - web_cpu
        kafka_cpu = cpu_seconds(kafka_pid) - kafka_cpu
        results["web_max"] |= {
            "web_cpu_us_per_rating": round(web_cpu / max(closed.accepted, 1) * 1e6, 1),
            "broker_cpu_us_per_rating": round(kafka_cpu / max(closed.accepted, 1) * 1e6, 1),
            "web_cpu_share_of_one_core": round(web_cpu / closed.elapsed, 2),
            "load_average_before": load_before, "load_average_after": load_average(),
        }

        print(f"open loop: {args.rate:g}/s for {duration:g} s ...", file=sys.stderr)
        fixed = asyncio.run(open_loop(host, port, requests, args.rate, duration, connections=args.connections))
        results["web_fixed_rate"] = fixed.summary()

        time.sleep(1)
        on_broker = end_offsets_total(settings) - offsets_before
        warmup_and_baseline = on_broker - closed.accepted - fixed.accepted
        results["broker_check"] = {"records_added": on_broker, "web_accepted_in_measured_phases":
                                   closed.accepted + fixed.accepted,
                                   "baseline_and_warmup": warmup_and_baseline}
        results["ratio_web_max_to_baseline"] = round(
            results["web_max"]["accepted_per_s"] / results["baseline_produce"]["acked_per_s"], 3)
        print(json.dumps(results, indent=2))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
        return 0
    finally:
        supervisor.stop_all()


if __name__ == "__main__":
    sys.exit(main())
