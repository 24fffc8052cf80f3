"""The table of docs/alerting.md: the change detectors' false-page intervals and detection
delays, from the exact run-length chain (``monitoring.alerting.run_length``).

    python -m monitoring.alerting.detector_table   # prints the Markdown table

Both bounds are conservative for the pair of detectors: the pair's false-page rate is at
most the sum of each one's, and its delay at most the shorter of each one's. Run lengths
are in ratings, turned into days at a volume (ratings a day).
"""

from __future__ import annotations

from collections.abc import Sequence

from dost_contract.change_detection import DEFAULT_UNHAPPY_SHARE, SHIPPED_DETECTORS, DetectorSpec
from monitoring.alerting.run_length import CusumChain

VOLUMES = (25, 60, 300, 700)
DROPS = (0.97, 0.95, 0.90, 0.80)  # satisfaction after the drop


def false_page_ratings(specs: Sequence[DetectorSpec], satisfaction: float) -> float:
    """Ratings between false pages, at least (the pair's rate <= the sum of the rates)."""
    rate = sum(1 / CusumChain.for_spec(spec, 1 - satisfaction).average_run_length() for spec in specs)
    return 1 / rate


def delay_ratings(specs: Sequence[DetectorSpec], satisfaction: float) -> tuple[int, int]:
    """(median, 95th percentile) ratings to the page after a drop, at most (the faster detector's)."""
    quantiles = [CusumChain.for_spec(spec, 1 - satisfaction).delay_quantiles((0.5, 0.95)) for spec in specs]
    return min(q[0] for q in quantiles), min(q[1] for q in quantiles)


def markdown_table(specs: Sequence[DetectorSpec] = SHIPPED_DETECTORS) -> str:
    target = 1 - DEFAULT_UNHAPPY_SHARE
    rows = ["| | " + " | ".join(f"{v}/day" for v in VOLUMES) + " |", "|---|" + "---|" * len(VOLUMES)]
    for satisfaction, label in ((target, f"false page every (at {target:.1%}, target)"), (0.99, "false page every (at 99%)")):
        ratings = false_page_ratings(specs, satisfaction)
        rows.append(f"| {label} | " + " | ".join(f"{ratings / v / 365:,.0f} years" for v in VOLUMES) + " |")
    for drop in DROPS:
        median, p95 = delay_ratings(specs, drop)
        rows.append(f"| to {drop:.0%}: median / p95 delay | "
                    + " | ".join(f"{median / v:.1f} / {p95 / v:.1f} d" for v in VOLUMES) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
