"""The follow-up case agent's throughput, against a no-op Faust agent in the same run.

    .venv/bin/python -m bench.followup_agent [--events 30000] [--low-share 0.14]

N ratings for 72 centers (``--low-share`` of them a 1, the rest 3-5, as in the rating
bench's mix) go to an isolated real Kafka broker. The no-op Faust agent (``bench.faust_noop``:
Faust's own ceiling here) reads them, then one ``dost-feedback cases-worker`` (embedded
SQLite, as the local stack) opens a case for every low rating; it is timed from its first
handled record to the N-th by its ``dost_followup_events_total``. Then the same again with
every rating a 1 (every record a case: the worst case, a replay of an angry day).
The ratio that matters is cases-worker / no-op Faust agent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import time

import httpx

from bench._local import empty_topic, isolated_settings, payloads, produce, start_kafka
from dost_contract import metric_names, topics
from dost_feedback.stack import services as stack
from dost_feedback.stack.processes import Supervisor, free_port
from tests.conftest import metric_value


def handled(url: str) -> float:
    try:
        text = httpx.get(url, timeout=5).text
    except httpx.HTTPError:
        return 0.0
    return sum(metric_value(text, metric_names.FOLLOWUP_EVENTS_TOTAL, topic=topics.FEEDBACK_SUBMITTED,
                            outcome=outcome) or 0 for outcome in ("opened", "duplicate", "no_case", "sentiment",
                                                                  "invalid"))


def time_agent(settings, count: int, timeout: float = 900) -> float:
    """Events/s of one cases-worker over ``count`` records, first handled record to the last."""
    agent = Supervisor().start(stack.cases_worker(settings), timeout=120)
    try:
        first = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = handled(agent.url)
            if done and first is None:
                first = (time.perf_counter(), done)
            if done >= count:
                seconds = (time.perf_counter() - first[0]) * count / max(count - first[1], 1)
                return count / seconds
            time.sleep(0.5)
        raise TimeoutError(f"the agent handled only {handled(agent.url)} of {count}")
    finally:
        agent.stop()


def noop_rate(settings, count: int) -> float:
    noop = subprocess.run([sys.executable, "-m", "bench.faust_noop", settings.kafka_bootstrap_servers, str(count)],
                          capture_output=True, text=True, timeout=900)
    match = re.search(r"events_per_s (\d+)", noop.stdout)
    if match is None:
        raise RuntimeError(f"the no-op Faust agent printed no rate: {noop.stdout[-500:]}{noop.stderr[-2000:]}")
    return float(match.group(1))


def with_ratings(records: list[tuple[bytes, bytes]], low_share: float) -> list[tuple[bytes, bytes]]:
    out = []
    every = max(1, round(1 / low_share)) if low_share < 1 else 1
    for index, (key, value) in enumerate(records):
        body = json.loads(value)
        body["rating"] = 1 if index % every == 0 else (5, 4, 3)[index % 3]
        body["comment"] = "waited two hours" if body["rating"] == 1 else None
        out.append((key, json.dumps(body).encode()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--low-share", type=float, default=0.14)
    args = parser.parse_args()
    centers = [f"center-{i:03d}" for i in range(72)]
    supervisor = Supervisor()
    results = {}
    try:
        for label, share in (("mixed", args.low_share), ("all_low", 1.0)):
            settings = isolated_settings(centers, followup_metrics_port=free_port(),
                                         faust_app_id=f"bench-followup-{label}")
            if not results:
                start_kafka(settings, supervisor)
                kafka_settings = settings
            settings = settings.model_copy(update={
                "kafka_bootstrap_servers": kafka_settings.kafka_bootstrap_servers})
            empty_topic(settings)
            asyncio.run(produce(settings, with_ratings(payloads(centers, args.events, days=1), share)))
            noop = noop_rate(settings, args.events)
            agent = time_agent(settings, args.events)
            results[label] = {"low_share": share, "faust_noop_per_s": noop, "cases_worker_per_s": agent,
                              "ratio": agent / noop}
            print(f"{label} ({args.events} ratings, {share:.0%} low): no-op Faust agent {noop:,.0f}/s; "
                  f"cases-worker {agent:,.0f}/s = {agent / noop:.0%} of no-op Faust", flush=True)
    finally:
        supervisor.stop_all()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
