"""The retry schedule (pure)."""

from __future__ import annotations

import pytest

from dost_contract.settings import Settings
from monitoring.oncall.retry import RetryPolicy


def test_delays_double_up_to_the_cap():
    policy = RetryPolicy(max_attempts=8, base_seconds=5, factor=2, max_seconds=60)
    assert [policy.delay(n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_after_failure_schedules_until_the_last_attempt():
    policy = RetryPolicy(max_attempts=3, base_seconds=1, factor=3, max_seconds=100)
    assert policy.after_failure(1, now=1000.0) == 1001.0
    assert policy.after_failure(2, now=1000.0) == 1003.0
    assert policy.after_failure(3, now=1000.0) is None  # the third attempt was the last
    assert policy.schedule() == [1, 3]


def test_a_single_attempt_never_retries():
    assert RetryPolicy(max_attempts=1, base_seconds=1, factor=2, max_seconds=10).after_failure(1, 0.0) is None


def test_defaults_from_settings_span_about_twenty_minutes():
    policy = RetryPolicy.from_settings(Settings())
    assert sum(policy.schedule()) == pytest.approx(635)  # 5+10+20+40+80+160+320
    assert len(policy.schedule()) == Settings().oncall_max_attempts - 1
