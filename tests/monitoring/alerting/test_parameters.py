"""Rule parameters from settings, and Prometheus durations."""

from __future__ import annotations

import pytest

from dost_contract.settings import Settings
from monitoring.alerting.parameters import duration_seconds, rule_parameters


def test_duration_seconds():
    assert duration_seconds("90s") == 90
    assert duration_seconds("1h30m") == 5400
    assert duration_seconds("3d") == 3 * 86400
    with pytest.raises(ValueError, match="not a Prometheus duration"):
        duration_seconds("1.5h")


def test_min_ratings_default_comes_from_settings():
    params = rule_parameters(Settings(alert_min_ratings=42), "prod")
    assert params.min_ratings == 42
