"""The two timing profiles of the rendered monitoring configs: production and local.

"prod" holds the production timings (the shipped files); "dev" holds seconds-long ones
so a local stack and the tests see an alert reach on-call within about 15 s.

Every timing is named once, as a field of ``MonitoringProfile``. Its environment variable
is that name with the profile appended: ``alert_page_for`` of "prod" is
``DOST_ALERT_PAGE_FOR_PROD`` (``ProfileEnvSource`` reads them, ``profile_env`` writes them
for child processes). Lists and maps are JSON, e.g.
``DOST_ALERTMANAGER_ROUTE_TIMINGS_PROD='{"page": "10s/1m/30m", ...}'``.
"""

from __future__ import annotations

import json
import os
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import PydanticBaseSettingsSource
from pydantic_settings.exceptions import SettingsError

from dost_contract.settings.base import DURATION_PATTERN, PrometheusDuration

ProfileName = Literal["dev", "prod"]
PROFILE_NAMES: tuple[ProfileName, ...] = get_args(ProfileName)
AlertSeverity = Literal["page", "warning", "ticket"]
SEVERITIES: tuple[AlertSeverity, ...] = get_args(AlertSeverity)  # the alerts' `severity` label, strongest first

# Alertmanager route timings "group_wait/group_interval/repeat_interval", e.g. "30s/5m/1h".
RouteTimingsText = Annotated[str, Field(pattern=rf"^{DURATION_PATTERN}(/{DURATION_PATTERN}){{2}}$")]


class RouteTimings(BaseModel):
    """One Alertmanager route's timings."""

    model_config = ConfigDict(frozen=True)

    group_wait: str
    group_interval: str
    repeat_interval: str

    @classmethod
    def parse(cls, text: str) -> "RouteTimings":
        """From the settings form "group_wait/group_interval/repeat_interval"."""
        group_wait, group_interval, repeat_interval = text.split("/")
        return cls(group_wait=group_wait, group_interval=group_interval, repeat_interval=repeat_interval)


class MonitoringProfile(BaseModel):
    """Every timing that differs between production and a local run, as Prometheus durations."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alert_warning_for: PrometheusDuration  # `for:` of CenterSatisfactionBelowTarget{severity="warning"}
    alert_page_for: PrometheusDuration  # ... and {severity="page"}
    alert_worker_down_for: PrometheusDuration  # DostWorkerDown and DostSentimentWorkerDown
    alert_burn_page_for: PrometheusDuration  # NetworkSatisfactionBudgetBurn{severity="page"}
    alert_burn_ticket_for: PrometheusDuration  # ... and {severity="ticket"}
    alert_lag_growth_window: PrometheusDuration  # DostConsumerLagGrowing: "growing" is deriv over this
    alert_consumer_lag_for: PrometheusDuration
    alert_deadletter_window: PrometheusDuration  # DostDeadLettersAppearing: new dead letters within this
    alert_sentiment_backlog_for: PrometheusDuration
    alert_oncall_failed_window: PrometheusDuration  # DostOncallDeliveryFailed: given up within this
    # CenterNoRatingsWhileOpen looks for silence over each of these ranges (short ones catch
    # busy centers fast, long ones let small centers build up enough expected ratings).
    alert_no_ratings_lookbacks: tuple[PrometheusDuration, ...]
    alert_no_ratings_for: PrometheusDuration
    prometheus_scrape_interval: PrometheusDuration
    prometheus_evaluation_interval: PrometheusDuration
    # The root route's timings (alerts without a known severity) ...
    alertmanager_group_wait: PrometheusDuration
    alertmanager_group_interval: PrometheusDuration
    alertmanager_repeat_interval: PrometheusDuration
    # ... and each severity's, "group_wait/group_interval/repeat_interval".
    alertmanager_route_timings: dict[AlertSeverity, RouteTimingsText]

    @field_validator("alertmanager_route_timings")
    @classmethod
    def _every_severity(cls, timings: dict[AlertSeverity, str]) -> dict[AlertSeverity, str]:
        missing = set(SEVERITIES) - set(timings)
        if missing:
            raise ValueError(f"lacks timings for severity {', '.join(sorted(missing))}")
        return timings

    def route_timings(self, severity: AlertSeverity) -> RouteTimings:
        return RouteTimings.parse(self.alertmanager_route_timings[severity])


# Production. The page needs statistical evidence, so it can fire sooner than the
# ratio-only warning, which waits out short dips. Burn-rate pages need little `for:` (the
# 5m/30m short windows already confirm); tickets wait out a few evaluations. Pages reach
# on-call fastest and repeat most often; tickets wait and repeat daily.
PROD_PROFILE = MonitoringProfile(
    alert_warning_for="30m",
    alert_page_for="10m",
    alert_worker_down_for="2m",
    alert_burn_page_for="2m",
    alert_burn_ticket_for="15m",
    alert_lag_growth_window="10m",
    alert_consumer_lag_for="10m",
    alert_deadletter_window="15m",
    alert_sentiment_backlog_for="15m",
    alert_oncall_failed_window="30m",
    alert_no_ratings_lookbacks=("1h", "3h", "8h"),
    alert_no_ratings_for="15m",
    prometheus_scrape_interval="15s",
    prometheus_evaluation_interval="1m",
    alertmanager_group_wait="30s",
    alertmanager_group_interval="5m",
    alertmanager_repeat_interval="4h",
    alertmanager_route_timings={"page": "30s/5m/1h", "warning": "1m/10m/4h", "ticket": "5m/30m/24h"},
)

# A local stack and the tests: seconds, so an alert reaches on-call in about 15 s.
DEV_PROFILE = MonitoringProfile(
    alert_warning_for="6s",
    alert_page_for="6s",
    alert_worker_down_for="6s",
    alert_burn_page_for="6s",
    alert_burn_ticket_for="6s",
    alert_lag_growth_window="20s",
    alert_consumer_lag_for="6s",
    alert_deadletter_window="30s",
    alert_sentiment_backlog_for="6s",
    alert_oncall_failed_window="30s",
    alert_no_ratings_lookbacks=("30s", "1m"),
    alert_no_ratings_for="6s",
    prometheus_scrape_interval="2s",
    prometheus_evaluation_interval="2s",
    alertmanager_group_wait="1s",
    alertmanager_group_interval="5s",
    alertmanager_repeat_interval="1m",
    alertmanager_route_timings={"page": "1s/5s/1m", "warning": "1s/5s/2m", "ticket": "1s/5s/5m"},
)

DEFAULT_PROFILES: dict[ProfileName, MonitoringProfile] = {"dev": DEV_PROFILE, "prod": PROD_PROFILE}


def profile_variable(timing: str, profile: ProfileName) -> str:
    """The environment variable of one timing in one profile, e.g. DOST_ALERT_PAGE_FOR_PROD."""
    return f"DOST_{timing.upper()}_{profile.upper()}"


def _is_json(field: FieldInfo) -> bool:
    return get_origin(field.annotation) in (tuple, dict)


class ProfileEnvSource(PydanticBaseSettingsSource):
    """Reads the ``DOST_<TIMING>_<PROFILE>`` variables into ``Settings.monitoring_profiles``."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything happens in __call__

    def __call__(self) -> dict[str, Any]:
        environ = {name.upper(): value for name, value in os.environ.items()}
        overrides: dict[str, dict[str, Any]] = {}
        for profile in PROFILE_NAMES:
            for timing, field in MonitoringProfile.model_fields.items():
                variable = profile_variable(timing, profile)
                if variable not in environ:
                    continue
                raw = environ[variable]
                try:
                    overrides.setdefault(profile, {})[timing] = json.loads(raw) if _is_json(field) else raw
                except ValueError as exc:
                    raise SettingsError(f"{variable} must be JSON ({exc}): {raw!r}") from None
        if not overrides:
            return {}
        return {
            "monitoring_profiles": {
                name: {**profile.model_dump(), **overrides.get(name, {})} for name, profile in DEFAULT_PROFILES.items()
            }
        }


def profile_env(profiles: dict[ProfileName, MonitoringProfile]) -> dict[str, str]:
    """Every timing of every profile as its DOST_ variable (the inverse of ProfileEnvSource)."""
    environment = {}
    for name, profile in profiles.items():
        for timing, value in profile.model_dump(mode="json").items():
            environment[profile_variable(timing, name)] = value if isinstance(value, str) else json.dumps(value)
    return environment
