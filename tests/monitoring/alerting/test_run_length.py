"""The exact run-length chain against closed forms and a direct simulation of the same CUSUM."""

from __future__ import annotations

import random

import pytest

from dost_contract.change_detection import LARGE_DROP, SMALL_DROP
from monitoring.alerting.run_length import CusumChain, alarm_for_run_length, integer_points


def test_one_step_to_the_alarm_has_run_length_one_over_q():
    # up >= alarm: the first unhappy rating alarms; run length is geometric, mean 1/q.
    assert CusumChain(5, 1, 5, 0.2).average_run_length() == pytest.approx(5.0)
    assert CusumChain(5, 1, 5, 0.2).delay_quantiles((0.5,)) == (4,)  # 1 - 0.8^4 = 0.59 >= 0.5 > 1 - 0.8^3


def test_average_run_length_matches_a_simulation():
    chain = CusumChain(3, 1, 6, 0.2)
    rng = random.Random(5)
    runs = []
    for _ in range(20000):
        score, n = 0, 0
        while score < 6:
            n += 1
            score = max(0, score + (3 if rng.random() < 0.2 else -1))
        runs.append(n)
    assert sum(runs) / len(runs) == pytest.approx(chain.average_run_length(), rel=0.03)


def test_shipped_points_and_thresholds_follow_from_the_chain():
    for spec in (SMALL_DROP, LARGE_DROP):
        assert integer_points(0.015, spec.p1) == (spec.unhappy_points, spec.satisfied_points)
        needed = 2 * 5 * 365 * 700
        assert alarm_for_run_length(spec.unhappy_points, spec.satisfied_points, 0.015, needed) == spec.page_points
        assert CusumChain.for_spec(spec, 0.015).average_run_length() >= needed


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        integer_points(0.05, 0.01)
    with pytest.raises(ValueError):
        CusumChain(0, 1, 5, 0.1)
    with pytest.raises(ValueError):
        CusumChain.for_spec(SMALL_DROP, 1.5)
