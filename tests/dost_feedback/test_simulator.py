"""``dost-feedback simulate`` against the real broker and the real web."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from pydantic import SecretStr

from dost_contract import topics
from dost_contract.settings import settings_env
from tests.conftest import read_topic

pytestmark = pytest.mark.services


def simulate(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dost_feedback", "simulate", *args],
        env={**settings_env(settings), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120,
    )


def submitted_ids(settings) -> set[str]:
    return {value["feedback_id"] for _, value in read_topic(settings, topics.FEEDBACK_SUBMITTED)}


def test_simulate_straight_to_kafka_sends_exactly_count(kafka, services_settings):
    before = submitted_ids(services_settings)
    result = simulate(services_settings, "--via", "kafka", "--count", "300", "--rate", "1000", "--seed", "11",
                      "--degrade", "baku-2=0.5")
    assert result.returncode == 0, result.stderr
    assert "accepted 300" in result.stdout
    new = [v for _, v in read_topic(services_settings, topics.FEEDBACK_SUBMITTED)
           if v["feedback_id"] not in before]
    assert len(new) == 300
    assert {v["channel"] for v in new} == {"kiosk", "sms", "web"}
    per_center = Counter(v["center_id"] for v in new)
    assert per_center["baku-1"] > per_center["smart-agali"]


def test_simulate_through_the_web(web, services_settings, client_key):
    anonymous = simulate(services_settings, "--via", "web", "--count", "1")
    assert anonymous.returncode == 1 and "needs an integration client key" in anonymous.stderr
    result = simulate(services_settings.model_copy(update={"client_key": SecretStr(client_key)}),
                      "--via", "web", "--count", "40", "--rate", "200", "--seed", "5")
    assert result.returncode == 0, result.stderr
    assert "accepted 40, retried 0, rejected 0" in result.stdout
