"""False tickets and pages of the network budget-burn alerts for a healthy network.

    python -m bench.network_burn [--days 90] [--seeds 2]

Every registry center of the seed network at 99% (a third of the 1.5% error budget), replayed
through the replay's timeline (``monitoring.replay.timeline``: the worker's counters and the
shipped burn-rate rules with Prometheus' ``for:`` semantics). The first 3 days are skipped:
the longest burn window (3d) is not full yet. Prints tickets and pages per 30 days.
Statistical, not a timing benchmark.
"""

from __future__ import annotations

import argparse

from dost_contract.centers import load_registry
from monitoring.alerting import shipped
from monitoring.alerting.parameters import rule_parameters
from monitoring.names import BURN_ALERT
from monitoring.replay.timeline import Scenario, build_timeline

DAY = 86400


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--centers", type=int, default=0, help="Only the first N registry centers (0: all).")
    args = parser.parse_args()
    settings = shipped.shipped_settings()
    centers = load_registry(settings).centers
    centers = centers[: args.centers] if args.centers else centers
    params = rule_parameters(settings, shipped.SHIPPED_PROFILE)
    counted_days, fired = 0, {"ticket": 0, "page": 0}
    for seed in range(1, args.seeds + 1):
        scenario = Scenario(seed=seed, days=args.days, degraded_center=centers[0].center_id,
                            degraded_satisfaction=0.99, fixed_satisfaction=(), drop_after_days=1)
        timeline = build_timeline(scenario, centers, params)
        warm = scenario.start_epoch + 3 * DAY
        for e in timeline.episodes:
            if e.alertname == BURN_ALERT and e.fired_at is not None and e.fired_at >= warm:
                fired[e.severity] += 1
                day = (e.fired_at - scenario.start_epoch) / DAY
                print(f"  seed {seed}: {e.severity} {e.labels['burn_window']} at day {day:.1f}", flush=True)
        counted_days += args.days - 3
    ratings = sum(c.daily_visitors for c in centers)
    print(f"healthy network ({len(centers)} centers, about {ratings:,} ratings a day, all at 99%), "
          f"{counted_days} days: {fired['ticket']} tickets ({fired['ticket'] * 30 / counted_days:.2f} per 30 days), "
          f"{fired['page']} pages")


if __name__ == "__main__":
    main()
