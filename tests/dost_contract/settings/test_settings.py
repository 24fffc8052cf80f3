import logging
import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from dost_contract import topics
from dost_contract.settings import Settings, settings_env
from streams.topic_setup import required_topics


def test_dedup_horizon_must_outlive_the_longest_window_plus_the_allowed_lateness():
    with pytest.raises(ValidationError, match="DOST_DEDUP_TTL_SECONDS"):
        Settings(allowed_lateness_seconds=7200, dedup_ttl_seconds=3600)
    with pytest.raises(ValidationError, match="30d window"):
        Settings(allowed_lateness_seconds=72 * 3600, dedup_ttl_seconds=30 * 86400 + 72 * 3600)
    assert Settings().dedup_ttl_seconds > 30 * 86400 + Settings().allowed_lateness_seconds


def test_env_vars_use_the_dost_prefix(monkeypatch):
    monkeypatch.setenv("DOST_ALERT_MIN_RATINGS", "12")
    monkeypatch.setenv("DOST_TOPIC_PARTITIONS", "12")
    settings = Settings()
    assert settings.alert_min_ratings == 12 and settings.topic_partitions == 12


def test_bad_values_are_refused_with_the_field_name(monkeypatch):
    monkeypatch.setenv("DOST_TOPIC_PARTITIONS", "zero")
    with pytest.raises(ValidationError, match="topic_partitions"):
        Settings()


# --- Citizen channels: secrets and paths -------------------------------------------


def test_secrets_travel_to_child_processes_in_clear_not_masked():
    settings = Settings(sms_signature_secret="s1", phone_hash_secret="s2")
    env = settings_env(settings)
    assert env["DOST_SMS_SIGNATURE_SECRET"] == "s1" and env["DOST_PHONE_HASH_SECRET"] == "s2"
    script = "from dost_contract.settings import Settings; print(Settings().phone_hash_secret.get_secret_value())"
    out = subprocess.run([sys.executable, "-c", script], env={**os.environ, **env}, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "s2"


def test_prod_profile_warns_for_each_dev_default_secret(caplog):
    logger = logging.getLogger("test-settings")
    with caplog.at_level(logging.WARNING, logger="test-settings"):
        Settings(profile="dev").warn_if_insecure(logger)
        assert caplog.records == []
        Settings(profile="prod", phone_hash_secret="real").warn_if_insecure(logger)
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "DOST_SMS_SIGNATURE_SECRET" in warned and "DOST_PHONE_ENCRYPTION_KEY" in warned
    assert "DOST_PHONE_HASH_SECRET" not in warned
    assert Settings(sms_signature_secret="a", phone_hash_secret="b", phone_encryption_key="c",
                    oncall_webhook_token="d", session_secret="e").insecure_secrets() == []


def test_secrets_are_not_printed_by_repr():
    assert "dev-only" not in repr(Settings())


def test_channel_paths_default_under_the_state_dir(tmp_path):
    settings = Settings(state_dir=tmp_path, web_port=8123)
    assert settings.channels_db_path == tmp_path / "channels.sqlite3"
    assert settings.sms_outbox_path == tmp_path / "run" / "sms-outbox.jsonl"
    assert settings.public_url == "http://127.0.0.1:8123"
    assert Settings(public_base_url="https://dost.example.az/").public_url == "https://dost.example.az"


def test_visits_completed_is_created_with_the_other_topics():
    assert topics.VISITS_COMPLETED in {spec.name for spec in required_topics(Settings())}
