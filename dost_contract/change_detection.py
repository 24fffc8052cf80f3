"""The change detectors' parameters: one place that the worker, the rules, the Grafana
rules and the replay all read, so they never disagree about a center.

Each detector is a Bernoulli CUSUM in whole points (``streams.detector`` runs it over the
hourly buckets): an unhappy rating (1-3) adds ``unhappy_points``, a satisfied one removes
``satisfied_points``, floored at 0. The points are log(p1/p0) and -log((1-p1)/(1-p0)) in
whole-number proportion, for p0 = 1.5% unhappy (the default target, 98.5%) and the drop
``p1`` each detector is tuned for. The thresholds come from the exact average-run-length
computation of ``monitoring.alerting.run_length`` (``python -m monitoring.alerting.detector_table``
prints it; docs/alerting.md has the table):

- ``page_points``: each detector's in-control run length at exactly target is at least
  2 x 5 x 365 x 700 ratings, so the two together page falsely at most once per 5 center-years
  at 700 ratings a day (and no more often per rating at lower volumes).
- ``warning_points`` (small detector only): its run length at 99% is at least 90 days at
  700 a day: a healthy center rarely warns.
- ``reset_points``: a page resolves once the score has fallen back to this level.
- ``cap_points``: the score never exceeds this, so a long degradation does not take weeks to
  forget once the center has recovered.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_UNHAPPY_SHARE = 0.015  # p0: 1 - the default target


@dataclass(frozen=True)
class DetectorSpec:
    name: str  # the `detector` label
    p1: float  # the unhappy share this detector is tuned to catch
    unhappy_points: int
    satisfied_points: int
    page_points: int
    reset_points: int
    cap_points: int
    warning_points: int | None = None  # None: this detector does not warn

    def __post_init__(self) -> None:
        if not 0 < self.reset_points < self.page_points <= self.cap_points:
            raise ValueError(f"{self.name}: need 0 < reset < page <= cap points")
        if self.warning_points is not None and not 0 < self.warning_points < self.page_points:
            raise ValueError(f"{self.name}: the warning level must lie below the page level")


# Shipped (production): the documented thresholds.
SMALL_DROP = DetectorSpec("small", p1=0.035, unhappy_points=124, satisfied_points=3,
                          page_points=1403, reset_points=700, cap_points=2100, warning_points=546)
LARGE_DROP = DetectorSpec("large", p1=0.12, unhappy_points=37, satisfied_points=2,
                          page_points=206, reset_points=100, cap_points=300)
SHIPPED_DETECTORS: tuple[DetectorSpec, ...] = (SMALL_DROP, LARGE_DROP)

# The local stack: the same points, a quarter of the thresholds, so the simulator's degraded
# center pages within about a minute (the shipped rules keep the documented thresholds).
DEV_DETECTORS: tuple[DetectorSpec, ...] = tuple(
    DetectorSpec(s.name, s.p1, s.unhappy_points, s.satisfied_points, s.page_points // 4, s.reset_points // 4,
                 s.cap_points // 4, None if s.warning_points is None else s.warning_points // 4)
    for s in SHIPPED_DETECTORS
)


# How long the rules hold a touch of a level. The worker's current hour is still filling: a
# partial bucket can reach the page level and the whole hour end below it (satisfied ratings
# after unhappy ones), which would make a page flap within the hour. Every such touch is an
# alarm of the per-rating CUSUM that the run lengths are computed for, so holding it for an
# hour (the bucket then decides, and the latch holds a confirmed page) costs no false pages
# beyond the documented ones. The local stack holds for seconds.
TOUCH_HOLD = {"prod": "1h", "dev": "10s"}


def detectors_for_profile(profile: str) -> tuple[DetectorSpec, ...]:
    """The detectors of a monitoring profile ("prod" or "dev")."""
    if profile == "prod":
        return SHIPPED_DETECTORS
    if profile == "dev":
        return DEV_DETECTORS
    raise ValueError(f"unknown profile {profile!r}")
