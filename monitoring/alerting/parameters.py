"""What the rules are rendered from: one profile's timings plus the alert thresholds. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from dost_contract.change_detection import SHIPPED_DETECTORS, TOUCH_HOLD, DetectorSpec, detectors_for_profile
from dost_contract.opening_hours import load_timezone
from dost_contract.settings import Settings
from dost_contract.settings.profiles import MonitoringProfile, ProfileName
from monitoring.alerting.wilson import Z_95

WINDOWS = ("1h", "24h", "7d", "30d")  # the worker's rolling windows (label `window`)
WARNING_WINDOW = "24h"
PAGE_WINDOWS = ("24h", "7d")


@dataclass(frozen=True)
class LocalClock:
    """How alert texts show a time: the centers' zone as a fixed offset from UTC.

    Prometheus' templates know only UTC (``toTime``), so the rules add the offset in PromQL.
    That is exact only for a zone without daylight saving time (Asia/Baku has none since
    2016); for any other zone the texts stay in UTC."""

    offset_seconds: int = 0
    label: str = "UTC"

    @classmethod
    def for_zone(cls, zone_name: str) -> "LocalClock":
        zone = load_timezone(zone_name)
        winter, summer = (datetime(2026, month, 1, tzinfo=timezone.utc).astimezone(zone).utcoffset()
                          for month in (1, 7))
        if winter != summer or not winter:  # daylight saving time, or UTC itself
            return cls()
        return cls(int(winter.total_seconds()), f"{zone_name.rsplit('/', 1)[-1].replace('_', ' ')} time")


@dataclass(frozen=True)
class RuleParameters:
    timings: MonitoringProfile  # every `for:` and range of the rules (one profile)
    min_ratings: int  # fewer ratings than this in a window never alert
    dashboard_base_url: str  # Grafana base URL, e.g. http://127.0.0.1:3000
    runbook_base_url: str  # the runbook document; anchors are appended
    z: float = Z_95
    error_budget: float = 0.015  # 1 - the network target
    burn_min_ratings: int = 100
    consumer_lag_messages: int = 1000
    sentiment_backlog_messages: int = 500
    no_ratings_min_expected: float = 10.0
    detectors: tuple[DetectorSpec, ...] = SHIPPED_DETECTORS  # the change detectors the page and warning read
    detector_hold: str = TOUCH_HOLD["prod"]  # max_over_time range: a level touched this recently still counts
    clock: LocalClock = field(default_factory=LocalClock)  # times in alert texts (the centers' zone)


def rule_parameters(
    settings: Settings, profile: ProfileName | None = None, dashboard_base_url: str | None = None
) -> RuleParameters:
    """Rule parameters from settings for ``profile`` (default ``settings.profile``)."""
    return RuleParameters(
        timings=settings.monitoring_profile(profile),
        min_ratings=settings.alert_min_ratings,
        dashboard_base_url=dashboard_base_url or settings.grafana_url,
        runbook_base_url=settings.runbook_base_url,
        error_budget=round(1 - settings.default_target, 10),
        burn_min_ratings=settings.alert_burn_min_ratings,
        consumer_lag_messages=settings.alert_consumer_lag_messages,
        sentiment_backlog_messages=settings.alert_sentiment_backlog_messages,
        no_ratings_min_expected=settings.alert_no_ratings_min_expected,
        detectors=detectors_for_profile(profile or settings.profile),
        detector_hold=TOUCH_HOLD[profile or settings.profile],
        clock=LocalClock.for_zone(settings.centers_timezone),
    )


_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}


def duration_seconds(duration: str) -> float:
    """Seconds in a Prometheus duration such as "90s", "1h30m" or "3d"."""
    parts = re.findall(r"([0-9]+)(ms|s|m|h|d|w|y)", duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"not a Prometheus duration: {duration!r}")
    return sum(int(number) * _DURATION_UNITS[unit] for number, unit in parts)
