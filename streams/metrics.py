"""The stream worker's Prometheus metrics.

Window gauges come from a custom collector that reads the latest snapshot, so a
scrape always sees one consistent set of windows and never a half-cleared gauge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Mapping

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from streams.scoring import Tally

RATINGS_TOTAL = Counter(
    "dost_feedback_ratings_total",
    "Ratings counted, after de-duplication.",
    ["center_id", "channel", "rating"],
)
EVENTS_PROCESSED_TOTAL = Counter(
    "dost_worker_events_processed_total",
    "Events read from feedback.submitted, by outcome (counted, duplicate, deadletter).",
    ["outcome"],
)
DEADLETTERS_TOTAL = Counter(
    "dost_worker_deadletters_total",
    "Events sent to feedback.deadletter, by reason.",
    ["reason"],
)
PROCESSING_SECONDS = Histogram(
    "dost_worker_processing_seconds",
    "Time to process one feedback event in the rating agent.",
    buckets=(0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5),
)
ASSIGNED_PARTITIONS = Gauge(
    "dost_worker_assigned_partitions",
    "feedback.submitted partitions this worker actively owns.",
)


@dataclass(frozen=True)
class SatisfactionSnapshot:
    """Everything the window gauges show, computed at one instant."""

    windows: Mapping[str, Mapping[str, Tally]] = field(default_factory=dict)  # center -> window -> tally
    targets: Mapping[str, float] = field(default_factory=dict)  # center -> target


class SatisfactionCollector(Collector):
    def __init__(self) -> None:
        self.snapshot = SatisfactionSnapshot()

    def update(self, snapshot: SatisfactionSnapshot) -> None:
        # One reference swap: the scrape thread sees the old or the new snapshot, whole.
        self.snapshot = snapshot

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snapshot = self.snapshot
        ratio = GaugeMetricFamily(
            "dost_center_satisfaction_ratio",
            "Satisfied ratings / all ratings in the rolling event-time window (absent when empty).",
            labels=["center_id", "window"],
        )
        ratings = GaugeMetricFamily(
            "dost_center_ratings", "Ratings in the rolling window.", labels=["center_id", "window"]
        )
        satisfied = GaugeMetricFamily(
            "dost_center_satisfied",
            "Satisfied ratings (4 or 5) in the rolling window.",
            labels=["center_id", "window"],
        )
        target = GaugeMetricFamily(
            "dost_center_satisfaction_target", "The center's satisfaction target.", labels=["center_id"]
        )
        for center_id, windows in sorted(snapshot.windows.items()):
            for window, tally in windows.items():
                ratings.add_metric([center_id, window], tally.ratings)
                satisfied.add_metric([center_id, window], tally.satisfied)
                if tally.satisfaction_ratio is not None:
                    ratio.add_metric([center_id, window], tally.satisfaction_ratio)
        for center_id, value in sorted(snapshot.targets.items()):
            target.add_metric([center_id], value)
        yield from (ratio, ratings, satisfied, target)
