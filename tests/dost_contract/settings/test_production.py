"""DOST_PROFILE=prod refuses public secrets and development stand-ins, naming each variable."""

import os
import subprocess
import time

import pytest

from dost_contract.settings import PROJECT_ROOT, InsecureSettingsError, Settings
from dost_contract.settings.production import production_problems

SECRETS = ("DOST_SMS_SIGNATURE_SECRET", "DOST_PHONE_HASH_SECRET", "DOST_PHONE_ENCRYPTION_KEY",
           "DOST_ONCALL_WEBHOOK_TOKEN", "DOST_SESSION_SECRET")
CLI = PROJECT_ROOT / ".venv" / "bin" / "dost-feedback"


@pytest.fixture
def real_oncall_config(tmp_path):
    path = tmp_path / "oncall.yaml"
    path.write_text("channels:\n  duty: {type: sms, to: ['+994501234567']}\ndefault_channels: [duty]\n")
    return path


def secure_settings(oncall_config, **overrides):
    values = dict(profile="prod", sms_signature_secret="s" * 32, phone_hash_secret="h" * 32,
                  phone_encryption_key="k" * 44, oncall_webhook_token="t" * 32, session_secret="m" * 32, sms_gateway="http",
                  sms_gateway_url="https://sms.example.az/send", sms_gateway_token="g" * 20,
                  kafka_security_protocol="SASL_PLAINTEXT", kafka_username="web", kafka_password="p" * 24,
                  oncall_config_file=oncall_config)
    return Settings(**{**values, **overrides})


def test_dev_profile_accepts_the_development_defaults():
    assert production_problems(Settings(profile="dev"), pages_oncall=True) == []


def test_prod_names_every_dev_default_secret_the_log_gateway_and_the_sample_oncall_config():
    problems = " ".join(production_problems(Settings(profile="prod"), pages_oncall=True))
    for variable in (*SECRETS, "DOST_SMS_GATEWAY", "DOST_KAFKA_SECURITY_PROTOCOL", "DOST_ONCALL_CONFIG_FILE"):
        assert variable in problems


def test_prod_accepts_real_secrets(real_oncall_config):
    settings = secure_settings(real_oncall_config)
    assert production_problems(settings, pages_oncall=True) == []
    settings.require_production_ready(pages_oncall=True)


@pytest.mark.parametrize("field", ["sms_signature_secret", "phone_hash_secret", "phone_encryption_key",
                                   "oncall_webhook_token", "session_secret"])
def test_each_secret_unset_or_empty_is_refused_alone(real_oncall_config, field):
    problems = production_problems(secure_settings(real_oncall_config, **{field: " "}), pages_oncall=True)
    assert problems == [problems[0]] and problems[0].startswith(f"DOST_{field.upper()} is unset")


def test_http_gateway_needs_its_url_and_token(real_oncall_config):
    problems = production_problems(secure_settings(real_oncall_config, sms_gateway_url=None, sms_gateway_token=None))
    assert [p.split()[0] for p in problems] == ["DOST_SMS_GATEWAY_URL", "DOST_SMS_GATEWAY_TOKEN"]


def test_kafka_needs_sasl_and_this_services_principal(real_oncall_config):
    plaintext = secure_settings(real_oncall_config, kafka_security_protocol="PLAINTEXT")
    assert "PLAINTEXT" in production_problems(plaintext)[0]
    problems = production_problems(secure_settings(real_oncall_config, kafka_username=None))
    assert problems == ["DOST_KAFKA_USERNAME and DOST_KAFKA_PASSWORD must name this service's Kafka principal"]


def test_the_shipped_samples_and_a_dev_channel_are_refused_for_the_receiver(tmp_path, real_oncall_config):
    for sample in ("oncall.yaml", "oncall.example.yaml"):
        settings = secure_settings(PROJECT_ROOT / "config" / sample)
        assert "sample on-call config" in production_problems(settings, pages_oncall=True)[0]
        assert production_problems(settings) == []  # only the receiver reads it
    dev_channel = tmp_path / "dev.yaml"
    dev_channel.write_text("channels:\n  f:\n    type: dev  # a file\ndefault_channels: [f]\n")
    assert "'dev' channel" in production_problems(secure_settings(dev_channel), pages_oncall=True)[0]
    missing = production_problems(secure_settings(tmp_path / "absent.yaml"), pages_oncall=True)
    assert "cannot be read" in missing[0]


def test_one_error_lists_all_problems():
    with pytest.raises(InsecureSettingsError) as raised:
        Settings(profile="prod").require_production_ready()
    message = str(raised.value)
    assert message.count("\n  - ") == 7 and all(variable in message for variable in SECRETS)


@pytest.mark.parametrize("command", ["web", "worker", "sentiment-worker", "receiver"])
def test_services_exit_at_once_naming_each_secret(command):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DOST_")}
    started = time.monotonic()
    result = subprocess.run([str(CLI), command], env={**env, "DOST_PROFILE": "prod"}, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert time.monotonic() - started < 30  # nothing started: no broker wait, no model load
    assert result.stderr.startswith("error: DOST_PROFILE=prod refuses to start")
    assert "Traceback" not in result.stderr and result.stdout == ""
    for variable in (*SECRETS, "DOST_SMS_GATEWAY", "DOST_KAFKA_SECURITY_PROTOCOL"):
        assert variable in result.stderr
    assert ("DOST_ONCALL_CONFIG_FILE" in result.stderr) == (command == "receiver")
