"""The change detectors' acceptance numbers, by simulating the worker's own hourly detector.

    python -m bench.detector_acceptance [--months 200] [--runs 200] [--seed 11]

Per volume (25, 60, 300, 700 ratings a day, spread over baku-1's opening hours as a Poisson
process per open hour, unhappy ratings binomial), with ``streams.detector.DetectorState``
advanced hour by hour exactly as the worker's recomputation orders the buckets:

1. ``--months`` consecutive center-months at exactly target (98.5%) and at 99%: pages and
   warnings (rising edges), against the issue's budget (<= 1 false page per 5 center-years
   at 700/day, no more per rating below; 0 pages and <= 1 warning per center-month at 99%).
2. ``--runs`` drops from a warmed-up 99% (7 days) at local midnight to 97/95/90/80%: the
   median and 95th-percentile delay to the page, in days.
3. Reset: a 700/day center at 95% for 7 days after its drop, then back at 99%: the time from
   recovery until the page resolves (the latch clears).
4. The chain confirmed: a CUSUM with the warning level as its alarm (short enough to see many
   runs) at target, simulated per rating, against ``monitoring.alerting.run_length``.

Statistical, not a timing benchmark: absolute numbers, no baseline ratio needed.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone

import numpy as np

from dost_contract.centers import load_registry
from dost_contract.change_detection import SHIPPED_DETECTORS, SMALL_DROP
from dost_contract.settings import Settings
from monitoring.alerting.run_length import CusumChain
from streams.detector import DetectorState

HOUR = 3600
VOLUMES = (25, 60, 300, 700)
DROPS = (0.97, 0.95, 0.90, 0.80)
START = datetime(2026, 1, 5, tzinfo=timezone.utc)  # a Monday, UTC midnight


def open_mask(hours: int) -> np.ndarray:
    """1 for each hour (from START) that baku-1 is open (Asia/Baku), else 0."""
    settings = Settings()
    center = load_registry(settings).by_id()["baku-1"]
    from dost_contract.opening_hours import is_open, load_timezone

    zone = load_timezone(settings.centers_timezone)
    week = np.array([is_open(center.hours, START + timedelta(hours=h, minutes=30), zone) for h in range(168)], float)
    return np.resize(week, hours)


class Run:
    """One center's detectors over a run of hourly buckets."""

    def __init__(self) -> None:
        self.states = [DetectorState() for _ in SHIPPED_DETECTORS]
        self.paged = False
        self.warned = False

    def step(self, t: int, rated: int, satisfied: int) -> tuple[bool, bool]:
        """(page rose, warning rose) at this hour."""
        self.states = [s.advance(spec, (t, rated, satisfied)) for s, spec in zip(self.states, SHIPPED_DETECTORS)]
        readings = [s.reading(spec) for s, spec in zip(self.states, SHIPPED_DETECTORS)]
        paged = any(r.score >= spec.page_points for r, spec in zip(readings, SHIPPED_DETECTORS))
        warned = readings[0].score >= SMALL_DROP.warning_points  # type: ignore[operator]
        rose = (paged and not self.paged, warned and not self.warned)
        self.paged, self.warned = paged, warned
        return rose


def buckets(rng: np.random.Generator, mask: np.ndarray, per_day: float, unhappy: np.ndarray | float):
    rate = per_day * 7 / mask[:168].sum()  # ratings per open hour
    rated = rng.poisson(rate * mask)
    bad = rng.binomial(rated, unhappy)
    return rated, rated - bad


def false_alarms(rng, months: int, satisfaction: float) -> dict[int, tuple[int, int, int]]:
    hours = months * 30 * 24
    mask = open_mask(hours)
    out = {}
    for volume in VOLUMES:
        rated, satisfied = buckets(rng, mask, volume, 1 - satisfaction)
        run, pages, warnings = Run(), 0, 0
        for h in range(hours):
            if rated[h]:
                page, warning = run.step(h * HOUR, int(rated[h]), int(satisfied[h]))
                pages += page
                warnings += warning
        out[volume] = (pages, warnings, int(rated.sum()))
    return out


def closed_after_drop(warmup_days: int = 7) -> float:
    """Days from the drop (00:00 Asia/Baku) to the center's opening that day: no rating can arrive."""
    mask = open_mask((warmup_days + 2) * 24)
    drop_hour = warmup_days * 24 - 4
    return float(np.argmax(mask[drop_hour:] > 0)) / 24


def delays(rng, runs: int, volume: int, drop: float, warmup_days: int = 7, horizon_days: int = 60) -> np.ndarray:
    hours = (warmup_days + horizon_days) * 24
    mask = open_mask(hours)
    drop_hour = warmup_days * 24 - 4  # 00:00 Asia/Baku (UTC+4)
    share = np.where(np.arange(hours) >= drop_hour, 1 - drop, 0.01)
    out = []
    for _ in range(runs):
        rated, satisfied = buckets(rng, mask, volume, share)
        run, found = Run(), np.inf
        for h in range(hours):
            if rated[h] and run.step(h * HOUR, int(rated[h]), int(satisfied[h]))[0] and h >= drop_hour:
                found = (h + 1 - drop_hour) / 24  # the bucket is complete at the end of its hour
                break
        out.append(found)
    return np.array(out)


def reset_times(rng, runs: int, volume: int = 700, degraded_days: int = 7) -> np.ndarray:
    hours = (7 + degraded_days + 30) * 24
    mask = open_mask(hours)
    drop, back = 7 * 24 - 4, (7 + degraded_days) * 24 - 4
    share = np.where((np.arange(hours) >= drop) & (np.arange(hours) < back), 0.05, 0.01)
    out = []
    for _ in range(runs):
        rated, satisfied = buckets(rng, mask, volume, share)
        run, found = Run(), np.inf
        for h in range(hours):
            if rated[h]:
                run.step(h * HOUR, int(rated[h]), int(satisfied[h]))
            if h >= back and not run.paged:
                found = (h + 1 - back) / 24
                break
        out.append(found)
    return np.array(out)


def chain_check(rng, runs: int) -> tuple[float, float]:
    """Simulated vs exact mean run length (ratings) of the small detector alarming at its warning level."""
    level = SMALL_DROP.warning_points
    lengths = []
    for _ in range(runs):
        score, n = 0, 0
        while score < level:
            draws = rng.random(4096) < 0.015
            for unhappy in draws:
                n += 1
                score = max(0, score + (SMALL_DROP.unhappy_points if unhappy else -SMALL_DROP.satisfied_points))
                if score >= level:
                    break
        lengths.append(n)
    exact = CusumChain.for_spec(SMALL_DROP, 0.015, alarm=level).average_run_length()
    return float(np.mean(lengths)), exact


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=200)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"## {args.months} center-months per volume, {args.runs} runs per drop (seed {args.seed})\n")
    for satisfaction in (0.985, 0.99):
        print(f"at {satisfaction:.1%}: volume, pages, warnings, warnings per center-month, ratings")
        for volume, (pages, warnings, ratings) in false_alarms(rng, args.months, satisfaction).items():
            print(f"  {volume}/day: {pages} pages, {warnings} warnings ({warnings / args.months:.2f}/month), {ratings:,} ratings")
    closed = closed_after_drop()
    print(f"\ndelay to the page after the drop at 00:00 local (days; the center opens {closed:.3f} d later, "
          "so subtract that for the delay from the first rating it could see): volume, drop, median, p95")
    for volume in VOLUMES:
        for drop in DROPS:
            d = delays(rng, args.runs, volume, drop)
            never = int(np.isinf(d).sum())
            print(f"  {volume}/day to {drop:.0%}: median {np.median(d):.2f} d, p95 {np.percentile(d, 95):.2f} d; "
                  f"from opening: median {np.median(d) - closed:.2f} d"
                  + (f" ({never} of {len(d)} not within 60 days)" if never else ""))
    r = reset_times(rng, args.runs)
    print(f"\nreset (700/day, 7 days at 95%, then 99%): median {np.median(r):.2f} d, p95 {np.percentile(r, 95):.2f} d, "
          f"max {r.max():.2f} d")
    simulated, exact = chain_check(rng, args.runs * 5)
    print(f"\nchain check (small detector, alarm at {SMALL_DROP.warning_points}, at target): simulated mean run "
          f"{simulated:,.0f} ratings vs exact {exact:,.0f} (ratio {simulated / exact:.3f})")


if __name__ == "__main__":
    main()
