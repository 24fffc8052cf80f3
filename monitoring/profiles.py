"""Timing profiles for the rendered monitoring configs.

"prod" holds the production timings (shipped files); "dev" holds seconds-long ones
so a local stack and the tests see an alert reach on-call within about 15 s. The
values live in Settings (``alert_*_for_<profile>``, ``prometheus_*_<profile>``,
``alertmanager_*_<profile>``); this module only gathers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from dost_feedback.settings import AlertSeverity, Settings

ProfileName = Literal["dev", "prod"]
PROFILE_NAMES: tuple[ProfileName, ...] = ("dev", "prod")


SEVERITIES: tuple[str, ...] = get_args(AlertSeverity)  # the alerts' `severity` label, strongest first


@dataclass(frozen=True)
class RouteTimings:
    """One Alertmanager route's timings."""

    group_wait: str
    group_interval: str
    repeat_interval: str

    @classmethod
    def parse(cls, text: str) -> "RouteTimings":
        """From the settings form "group_wait/group_interval/repeat_interval"."""
        group_wait, group_interval, repeat_interval = text.split("/")
        return cls(group_wait, group_interval, repeat_interval)


@dataclass(frozen=True)
class MonitoringProfile:
    name: ProfileName
    warning_for: str  # `for:` of CenterSatisfactionBelowTarget{severity="warning"}
    page_for: str  # `for:` of CenterSatisfactionBelowTarget{severity="page"}
    worker_down_for: str  # `for:` of DostWorkerDown and DostSentimentWorkerDown
    burn_page_for: str  # `for:` of NetworkSatisfactionBudgetBurn{severity="page"}
    burn_ticket_for: str  # ... and {severity="ticket"}
    lag_growth_window: str  # DostConsumerLagGrowing: growth measured over this range
    consumer_lag_for: str
    deadletter_window: str  # DostDeadLettersAppearing: dead letters within this range
    sentiment_backlog_for: str
    oncall_failed_window: str  # DostOncallDeliveryFailed: deliveries given up within this range
    no_ratings_lookbacks: tuple[str, ...]  # CenterNoRatingsWhileOpen: silence checked over each
    no_ratings_for: str
    scrape_interval: str
    evaluation_interval: str
    group_wait: str  # Alertmanager route timings
    group_interval: str
    repeat_interval: str
    # Per-severity route timings (page, warning, ticket); the three above are the root's.
    severity_timings: dict[str, RouteTimings]


def monitoring_profile(settings: Settings, name: ProfileName | None = None) -> MonitoringProfile:
    """The profile called ``name`` (default: ``settings.profile``) with values from settings."""
    name = name or settings.profile
    if name not in PROFILE_NAMES:
        raise ValueError(f"unknown monitoring profile {name!r}; choose one of {PROFILE_NAMES}")

    def knob(prefix: str) -> str:
        return getattr(settings, f"{prefix}_{name}")

    return MonitoringProfile(
        name=name,
        warning_for=knob("alert_warning_for"),
        page_for=knob("alert_page_for"),
        worker_down_for=knob("alert_worker_down_for"),
        burn_page_for=knob("alert_burn_page_for"),
        burn_ticket_for=knob("alert_burn_ticket_for"),
        lag_growth_window=knob("alert_lag_growth_window"),
        consumer_lag_for=knob("alert_consumer_lag_for"),
        deadletter_window=knob("alert_deadletter_window"),
        sentiment_backlog_for=knob("alert_sentiment_backlog_for"),
        oncall_failed_window=knob("alert_oncall_failed_window"),
        no_ratings_lookbacks=tuple(knob("alert_no_ratings_lookbacks")),
        no_ratings_for=knob("alert_no_ratings_for"),
        scrape_interval=knob("prometheus_scrape_interval"),
        evaluation_interval=knob("prometheus_evaluation_interval"),
        group_wait=knob("alertmanager_group_wait"),
        group_interval=knob("alertmanager_group_interval"),
        repeat_interval=knob("alertmanager_repeat_interval"),
        severity_timings={
            severity: RouteTimings.parse(knob("alertmanager_route_timings")[severity]) for severity in SEVERITIES
        },
    )
