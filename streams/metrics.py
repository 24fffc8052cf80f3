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

from dost_contract import metric_names
from streams.detector import DetectorReading
from streams.scoring import ALL_GROUPS, Tally

RATINGS_TOTAL = Counter(
    metric_names.FEEDBACK_RATINGS_TOTAL,
    "Ratings counted, after de-duplication.",
    ["center_id", "channel", "rating"],
)
EVENTS_PROCESSED_TOTAL = Counter(
    metric_names.WORKER_EVENTS_PROCESSED_TOTAL,
    "Events read from feedback.submitted, by outcome (counted, duplicate, replayed, forwarded, deadletter).",
    ["outcome"],
)
RECORDS_REREAD_TOTAL = Counter(
    metric_names.WORKER_RECORDS_REREAD_TOTAL,
    "Records of feedback.submitted that Faust did not hand to the agent, read by the worker itself "
    "(streams/continuity.py); each is then counted like any other.",
)
DEADLETTERS_TOTAL = Counter(
    metric_names.WORKER_DEADLETTERS_TOTAL,
    "Events sent to feedback.deadletter, by reason.",
    ["reason"],
)
BATCH_PROCESSING_SECONDS = Histogram(
    metric_names.WORKER_BATCH_PROCESSING_SECONDS,
    "Time the rating agent spends on one batch of events, state writes included.",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
BATCH_SIZE = Histogram(
    metric_names.WORKER_BATCH_EVENTS,
    "Events per batch taken by the rating agent.",
    buckets=(1, 10, 50, 100, 250, 500, 1000, 2000),
)
CONSUMER_LAG = Gauge(
    metric_names.WORKER_CONSUMER_LAG_MESSAGES,
    "Records in feedback.submitted not yet processed, per owned partition.",
    ["partition"],
)
ASSIGNED_PARTITIONS = Gauge(
    metric_names.WORKER_ASSIGNED_PARTITIONS,
    "feedback.submitted partitions this worker actively owns.",
)
STATE_ENTRIES = Gauge(
    metric_names.WORKER_STATE_ENTRIES,
    "Entries in the rating state this worker holds: center_days, feedback_marks (ids remembered), mark_blocks.",
    ["kind"],
)
STATE_MARK_BYTES = Gauge(
    metric_names.WORKER_STATE_MARK_BYTES,
    "Bytes of feedback_id mark blocks held (32 per id): grows with ratings within the de-duplication horizon.",
)


@dataclass(frozen=True)
class SatisfactionSnapshot:
    """Everything the window gauges show, computed at one instant."""

    # center -> service group (ALL_GROUPS for the whole center) -> window -> tally
    windows: Mapping[str, Mapping[str, Mapping[str, Tally]]] = field(default_factory=dict)
    targets: Mapping[str, float] = field(default_factory=dict)  # center -> target
    info: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # center -> (region, kind)
    open: Mapping[str, bool] = field(default_factory=dict)  # center -> within its opening hours now
    open_hours_per_week: Mapping[str, float] = field(default_factory=dict)  # center -> from the registry
    detectors: Mapping[str, tuple[DetectorReading, ...]] = field(default_factory=dict)  # center -> readings


class SatisfactionCollector(Collector):
    def __init__(self) -> None:
        self.snapshot = SatisfactionSnapshot()

    def update(self, snapshot: SatisfactionSnapshot) -> None:
        # One reference swap: the scrape thread sees the old or the new snapshot, whole.
        self.snapshot = snapshot

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from snapshot_families(self.snapshot)


def snapshot_families(snapshot: SatisfactionSnapshot) -> Iterator[GaugeMetricFamily]:
    """The window, registry and detector gauges of one snapshot."""
    ratio = GaugeMetricFamily(
        metric_names.CENTER_SATISFACTION_RATIO,
        "Satisfied ratings / all ratings in the rolling event-time window (absent when empty).",
        labels=["center_id", "window"],
    )
    ratings = GaugeMetricFamily(
        metric_names.CENTER_RATINGS, "Ratings in the rolling window.", labels=["center_id", "window"]
    )
    satisfied = GaugeMetricFamily(
        metric_names.CENTER_SATISFIED,
        "Satisfied ratings (4 or 5) in the rolling window.",
        labels=["center_id", "window"],
    )
    target = GaugeMetricFamily(
        metric_names.CENTER_SATISFACTION_TARGET, "The center's satisfaction target.", labels=["center_id"]
    )
    group_labels = ["center_id", "service_group", "window"]
    group_ratio = GaugeMetricFamily(
        metric_names.SERVICE_GROUP_SATISFACTION_RATIO,
        "Satisfaction per center and service group in the rolling window (absent when empty).",
        labels=group_labels,
    )
    group_ratings = GaugeMetricFamily(
        metric_names.SERVICE_GROUP_RATINGS, "Ratings per center and service group in the window.", labels=group_labels
    )
    group_satisfied = GaugeMetricFamily(
        metric_names.SERVICE_GROUP_SATISFIED,
        "Satisfied ratings per center and service group in the window.",
        labels=group_labels,
    )
    for center_id, groups in sorted(snapshot.windows.items()):
        for group, windows in sorted(groups.items()):
            for window, tally in windows.items():
                if group == ALL_GROUPS:
                    labels, families = [center_id, window], (ratings, satisfied, ratio)
                else:
                    labels, families = [center_id, group, window], (group_ratings, group_satisfied, group_ratio)
                families[0].add_metric(labels, tally.ratings)
                families[1].add_metric(labels, tally.satisfied)
                if tally.satisfaction_ratio is not None:
                    families[2].add_metric(labels, tally.satisfaction_ratio)
    for center_id, value in sorted(snapshot.targets.items()):
        target.add_metric([center_id], value)
    # Info-style gauges: alerts join on them to add the region, and
    # CenterNoRatingsWhileOpen needs to know that a center is open.
    info = GaugeMetricFamily(
        metric_names.CENTER_INFO, "A registry center this worker owns (always 1).", labels=["center_id", "region", "kind"]
    )
    for center_id, (region, kind) in sorted(snapshot.info.items()):
        info.add_metric([center_id, region, kind], 1)
    is_open = GaugeMetricFamily(
        metric_names.CENTER_OPEN,
        "1 while the center is within its opening hours (registry, local time), else 0.",
        labels=["center_id"],
    )
    for center_id, value in sorted(snapshot.open.items()):
        is_open.add_metric([center_id], 1 if value else 0)
    weekly = GaugeMetricFamily(
        metric_names.CENTER_OPEN_HOURS_PER_WEEK,
        "Hours a week the center is open (registry): ratings per open hour = 7d ratings / this.",
        labels=["center_id"],
    )
    for center_id, value in sorted(snapshot.open_hours_per_week.items()):
        weekly.add_metric([center_id], value)
    yield from (ratio, ratings, satisfied, target, group_ratio, group_ratings, group_satisfied,
                info, is_open, weekly, *detector_families(snapshot))


def detector_families(snapshot: SatisfactionSnapshot) -> tuple[GaugeMetricFamily, ...]:
    """The change detectors' gauges; the excursion gauges are absent while the score is 0."""
    labels = ["center_id", "detector"]
    score = GaugeMetricFamily(
        metric_names.CENTER_CHANGE_SCORE,
        "Change detector score (CUSUM points); held at >= its page level while the alarm is latched.",
        labels=labels,
    )
    since = GaugeMetricFamily(
        metric_names.CENTER_CHANGE_SINCE, "Start of the hour the detector's current excursion began.", labels=labels
    )
    rated = GaugeMetricFamily(metric_names.CENTER_CHANGE_RATINGS, "Ratings since the excursion began.", labels=labels)
    unhappy = GaugeMetricFamily(
        metric_names.CENTER_CHANGE_UNSATISFIED, "Unhappy ratings (1-3) since the excursion began.", labels=labels
    )
    for center_id, readings in sorted(snapshot.detectors.items()):
        for reading in readings:
            key = [center_id, reading.detector]
            score.add_metric(key, reading.score)
            if reading.since_epoch is not None:
                since.add_metric(key, reading.since_epoch)
                rated.add_metric(key, reading.ratings)
                unhappy.add_metric(key, reading.unsatisfied)
    return score, since, rated, unhappy
