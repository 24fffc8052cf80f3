import pytest
from pydantic import ValidationError

from dost_feedback.settings import Settings


def test_dedup_ttl_must_outlive_the_allowed_lateness():
    with pytest.raises(ValidationError, match="DOST_DEDUP_TTL_SECONDS"):
        Settings(allowed_lateness_seconds=7200, dedup_ttl_seconds=3600)


def test_env_vars_use_the_dost_prefix(monkeypatch):
    monkeypatch.setenv("DOST_ALERT_MIN_RATINGS", "12")
    monkeypatch.setenv("DOST_TOPIC_PARTITIONS", "12")
    settings = Settings()
    assert settings.alert_min_ratings == 12 and settings.topic_partitions == 12


def test_bad_values_are_refused_with_the_field_name(monkeypatch):
    monkeypatch.setenv("DOST_TOPIC_PARTITIONS", "zero")
    with pytest.raises(ValidationError, match="topic_partitions"):
        Settings()
