"""CPU of the worker's once-a-second work beyond counting: the window refresh and the /metrics exposition.

A worker holding N centers x D days (30) x 11 service groups (every hour rated), each second:
some ratings land in every center (as in bench_rating_pipeline, where every batch touches
every center; in the current hour, or a share of them up to 48 h back), then ``SatisfactionRefresher.refresh`` recomputes the
touched centers, and the window collector is scraped twice (the pipeline bench scrapes
twice a second; through ``streams.exposition``, as the worker serves them). ``time.process_time`` counts this process's CPU only, so the figures hold
on a busy machine. The reported ratio is CPU per simulated second / 1 s: the share of one
core this work takes.

    .venv/bin/python -m bench.refresh_cpu [--centers 72] [--seconds 60] [--days 30]
"""

from __future__ import annotations

import argparse
import random
import time

from prometheus_client import CollectorRegistry

from dost_contract.centers import Center, CenterKind, CenterName, CenterRegistry
from dost_contract.settings import Settings
from streams.exposition import CachedExposition
from streams.metrics import SatisfactionCollector
from streams.refresh import SatisfactionRefresher
from streams.scoring import DAY_SECONDS, HOUR_SECONDS, CenterDay, day_key, day_start, hour_start
from streams.state import CenterDayStore

GROUPS = [f"group-{i}" for i in range(11)]


def build(center_count: int, now: float, days: int = 30, seed: int = 7) -> tuple[CenterDayStore, CenterRegistry, dict]:
    rng = random.Random(seed)
    ids = [f"center-{i:03d}" for i in range(center_count)]
    registry = CenterRegistry(centers=tuple(
        Center(center_id=c, name=CenterName(az=c, en=c), region="baku", kind=CenterKind.REGIONAL) for c in ids))
    data: dict = {}
    store = CenterDayStore(data, lambda partition, key, day: None, Settings().topic_partitions)
    first = hour_start(now) - days * DAY_SECONDS
    for center_id in ids:
        for hour in range(first, hour_start(now), HOUR_SECONDS):
            key = day_key(center_id, day_start(hour))
            day = data.get(key) or data.setdefault(key, CenterDay())
            for _ in range(2):
                day.apply(rng.choice(GROUPS), hour + 60, rng.choice((2, 4, 5, 5, 5)))
    return store, registry, data


def measure(center_count: int, seconds: int, days: int = 30, late_share: float = 0.0, ratings_per_center: int = 10) -> dict:
    now = hour_start(time.time()) + 60.0
    store, registry, data = build(center_count, now, days)
    refresher = SatisfactionRefresher(store, registry, Settings().topic_partitions, budget_seconds=10.0,
                                      zone=__import__("zoneinfo").ZoneInfo("Asia/Baku"))
    collector = SatisfactionCollector()
    exposition = CachedExposition(CollectorRegistry(), collector)  # what the worker's /metrics serves
    partitions = set(range(Settings().topic_partitions))
    ids = registry.ids()
    rng = random.Random(11)
    refresher.refresh(now, partitions, set())  # the first refresh computes every center (not measured)
    refresh_cpu = scrape_cpu = 0.0
    for second in range(seconds):
        tick = now + second
        for center_id in ids:
            day = store.get(day_key(center_id, day_start(tick)))
            data[day_key(center_id, day_start(tick))] = day
            for _ in range(ratings_per_center):
                submitted = tick - rng.uniform(0, 48 * HOUR_SECONDS) if rng.random() < late_share else tick
                late = store.get(day_key(center_id, day_start(submitted)))
                late.apply(rng.choice(GROUPS), submitted, rng.choice((2, 4, 5, 5, 5)))
                data[day_key(center_id, day_start(submitted))] = late
        started = time.process_time()
        refresh = refresher.refresh(tick, partitions, set(ids))
        collector.update(refresh.snapshot)
        refreshed = time.process_time()
        body = b""
        for _ in range(2):
            body, _ = exposition.render(None)
        scrape_cpu += time.process_time() - refreshed
        refresh_cpu += refreshed - started
    return {"centers": center_count, "days": days, "late_share": late_share, "seconds": seconds, "samples_per_scrape": body.count(b"\n") - body.count(b"# "),
            "refresh_ms_per_s": round(refresh_cpu / seconds * 1e3, 2),
            "scrapes_ms_per_s": round(scrape_cpu / seconds * 1e3, 2),
            "core_share": round((refresh_cpu + scrape_cpu) / seconds, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centers", type=int, default=72)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--days", type=int, default=30, help="days of history held (bench_rating_pipeline: 2)")
    parser.add_argument("--late-share", type=float, default=0.0,
                        help="share of ratings submitted up to 48 h back (bench_rating_pipeline: all of them)")
    args = parser.parse_args()
    print(measure(args.centers, args.seconds, args.days, args.late_share), flush=True)


if __name__ == "__main__":
    main()
