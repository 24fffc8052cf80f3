"""RestartPolicy: backoff doubles per fast crash, a stable run resets it, repeated fast crashes give up."""

from __future__ import annotations

from dost_feedback.stack.restarts import Restart, RestartPolicy


def test_fast_crashes_back_off_then_give_up():
    policy = RestartPolicy(base_delay_seconds=1, max_delay_seconds=5, stable_after_seconds=60, give_up_after=5)
    assert [policy.on_crash("worker-1", 2) for _ in range(4)] == [Restart(1, 1), Restart(2, 2), Restart(4, 3),
                                                                  Restart(5, 4)]
    assert policy.on_crash("worker-1", 2) is None


def test_a_stable_run_resets_the_count_and_services_are_counted_apart():
    policy = RestartPolicy(give_up_after=3)
    assert policy.on_crash("worker-1", 1).fast_crashes == 1
    assert policy.on_crash("worker-1", 1).fast_crashes == 2
    assert policy.on_crash("sentiment-worker", 1).fast_crashes == 1
    assert policy.on_crash("worker-1", 3600) == Restart(1.0, 1)  # it ran for an hour: a fresh start
    assert policy.on_crash("worker-1", 1).fast_crashes == 2
    assert policy.on_crash("worker-1", 1) is None
