"""The dev/prod monitoring profiles: one model, the flat DOST_<TIMING>_<PROFILE> variables, and back."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from pydantic_settings.exceptions import SettingsError

from dost_contract.settings import Settings, settings_env
from dost_contract.settings.profiles import (
    DEV_PROFILE,
    PROD_PROFILE,
    SEVERITIES,
    MonitoringProfile,
    RouteTimings,
    profile_env,
    profile_variable,
)


def test_the_variables_keep_their_flat_names():
    assert profile_variable("alert_page_for", "prod") == "DOST_ALERT_PAGE_FOR_PROD"
    assert profile_variable("alertmanager_route_timings", "dev") == "DOST_ALERTMANAGER_ROUTE_TIMINGS_DEV"
    names = set(profile_env({"dev": DEV_PROFILE, "prod": PROD_PROFILE}))
    assert {"DOST_ALERT_WARNING_FOR_PROD", "DOST_ALERT_NO_RATINGS_LOOKBACKS_DEV", "DOST_PROMETHEUS_SCRAPE_INTERVAL_PROD",
            "DOST_ALERTMANAGER_GROUP_WAIT_DEV"} <= names
    assert len(names) == 2 * len(MonitoringProfile.model_fields)


def test_defaults_are_the_shipped_production_and_local_timings():
    settings = Settings()
    assert settings.monitoring_profile("prod") == PROD_PROFILE
    assert settings.monitoring_profile("prod").alert_page_for == "10m"
    assert settings.monitoring_profile("dev").alert_page_for == "6s"
    assert settings.monitoring_profile() == DEV_PROFILE  # DOST_PROFILE defaults to dev
    assert Settings(profile="prod").monitoring_profile().alert_warning_for == "30m"


def test_one_timing_is_set_through_its_variable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DOST_ALERT_PAGE_FOR_PROD", "15m")
    monkeypatch.setenv("dost_alert_no_ratings_lookbacks_dev", '["45s", "2m"]')  # case-insensitive, like every DOST_ name
    settings = Settings()
    assert settings.monitoring_profile("prod").alert_page_for == "15m"
    assert settings.monitoring_profile("prod").alert_warning_for == "30m"  # the others keep their defaults
    assert settings.monitoring_profile("dev").alert_no_ratings_lookbacks == ("45s", "2m")
    assert settings.monitoring_profile("dev").alert_page_for == "6s"


def test_route_timings_come_as_json_for_every_severity(monkeypatch: pytest.MonkeyPatch):
    timings = {"page": "10s/1m/30m", "warning": "1m/10m/4h", "ticket": "5m/30m/24h"}
    monkeypatch.setenv("DOST_ALERTMANAGER_ROUTE_TIMINGS_PROD", json.dumps(timings))
    profile = Settings().monitoring_profile("prod")
    assert profile.route_timings("page") == RouteTimings(group_wait="10s", group_interval="1m", repeat_interval="30m")
    assert [profile.route_timings(s).repeat_interval for s in SEVERITIES] == ["30m", "4h", "24h"]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DOST_ALERT_PAGE_FOR_PROD", "ten minutes", "alert_page_for"),
        ("DOST_ALERTMANAGER_ROUTE_TIMINGS_DEV", '{"page": "1s/5s/1m"}', "lacks timings for severity ticket, warning"),
        ("DOST_ALERTMANAGER_ROUTE_TIMINGS_DEV", '{"page": "1s/5s", "warning": "1s/5s/2m", "ticket": "1s/5s/5m"}',
         "alertmanager_route_timings"),
    ],
)
def test_a_bad_timing_is_refused_naming_it(monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=message):
        Settings()


def test_a_list_that_is_not_json_names_its_variable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DOST_ALERT_NO_RATINGS_LOOKBACKS_PROD", "1h,3h")
    with pytest.raises(SettingsError, match="DOST_ALERT_NO_RATINGS_LOOKBACKS_PROD must be JSON"):
        Settings()


def test_an_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="unknown monitoring profile 'staging'"):
        Settings().monitoring_profile("staging")  # type: ignore[arg-type]


def test_a_child_process_sees_the_same_timings(monkeypatch: pytest.MonkeyPatch):
    """settings_env writes the flat variables; Settings reads them back identically."""
    monkeypatch.setenv("DOST_ALERT_BURN_TICKET_FOR_DEV", "9s")
    parent = Settings()
    environment = settings_env(parent)
    assert environment["DOST_ALERT_BURN_TICKET_FOR_DEV"] == "9s"
    assert json.loads(environment["DOST_ALERT_NO_RATINGS_LOOKBACKS_PROD"]) == ["1h", "3h", "8h"]
    assert "DOST_MONITORING_PROFILES" not in environment
    monkeypatch.delenv("DOST_ALERT_BURN_TICKET_FOR_DEV")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert Settings().monitoring_profiles == parent.monitoring_profiles
