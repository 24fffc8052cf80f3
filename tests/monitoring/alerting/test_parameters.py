"""Rule parameters from settings, and Prometheus durations."""

from __future__ import annotations

import pytest

from dost_contract.settings import Settings
from monitoring.alerting.parameters import LocalClock, duration_seconds, rule_parameters


def test_duration_seconds():
    assert duration_seconds("90s") == 90
    assert duration_seconds("1h30m") == 5400
    assert duration_seconds("3d") == 3 * 86400
    with pytest.raises(ValueError, match="not a Prometheus duration"):
        duration_seconds("1.5h")


def test_min_ratings_default_comes_from_settings():
    params = rule_parameters(Settings(alert_min_ratings=42), "prod")
    assert params.min_ratings == 42


def test_alert_texts_show_baku_time_and_fall_back_to_utc_where_the_offset_changes():
    assert LocalClock.for_zone("Asia/Baku") == LocalClock(4 * 3600, "Baku time")
    assert LocalClock.for_zone("America/Argentina/Buenos_Aires") == LocalClock(-3 * 3600, "Buenos Aires time")
    assert LocalClock.for_zone("Europe/Berlin") == LocalClock(0, "UTC")  # daylight saving time
    assert LocalClock.for_zone("UTC") == LocalClock(0, "UTC")
    assert rule_parameters(Settings()).clock == LocalClock(14400, "Baku time")
    assert rule_parameters(Settings(centers_timezone="Europe/Berlin")).clock.label == "UTC"
