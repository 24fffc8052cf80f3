"""The Wilson score interval reference implementation."""

from __future__ import annotations

import math

import pytest

from monitoring.alerting.wilson import Z_95, wilson_interval, wilson_lower, wilson_upper


def textbook_wilson(satisfied: int, ratings: int, z: float = Z_95) -> tuple[float, float]:
    """The p-form: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p, n = satisfied / ratings, ratings
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - margin) / (1 + z * z / n), (centre + margin) / (1 + z * z / n)


@pytest.mark.parametrize(
    ("satisfied", "ratings", "lower", "upper"),
    [
        # Published 95% Wilson intervals (e.g. Newcombe 1998, Table I; Wikipedia's examples).
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
    ],
)
def test_known_intervals(satisfied, ratings, lower, upper):
    got_lower, got_upper = wilson_interval(satisfied, ratings)
    assert got_lower == pytest.approx(lower, abs=1e-4)
    assert got_upper == pytest.approx(upper, abs=1e-4)


@pytest.mark.parametrize(("satisfied", "ratings"), [(0, 1), (1, 1), (19, 20), (27, 30), (980, 1000), (9_999, 10_000)])
def test_count_form_equals_textbook_form(satisfied, ratings):
    assert wilson_interval(satisfied, ratings) == pytest.approx(textbook_wilson(satisfied, ratings), rel=1e-12)


@pytest.mark.parametrize(("satisfied", "ratings"), [(0, 5), (3, 7), (19, 20), (980, 1000), (1000, 1000)])
def test_interval_contains_the_observed_ratio_and_stays_in_0_1(satisfied, ratings):
    lower, upper = wilson_interval(satisfied, ratings)
    assert 0 <= lower <= satisfied / ratings <= upper <= 1


def test_interval_is_symmetric_between_satisfied_and_unsatisfied():
    assert wilson_lower(3, 20) == pytest.approx(1 - wilson_upper(17, 20), abs=1e-12)


def test_more_ratings_narrow_the_interval():
    small = wilson_interval(19, 20)
    large = wilson_interval(950, 1000)
    assert large[1] - large[0] < small[1] - small[0]


def test_small_healthy_sample_cannot_prove_a_shortfall():
    # 19 of 20 is 0.95 by ratio, but 0.985 is still within the interval: no page.
    assert wilson_upper(19, 20) > 0.985
    # 980 of 1000: below target by ratio, still consistent with the target.
    assert wilson_upper(980, 1000) > 0.985
    # 360 of 400: the evidence is clear.
    assert wilson_upper(360, 400) < 0.985


@pytest.mark.parametrize(("satisfied", "ratings"), [(0, 0), (1, 0), (5, 4), (-1, 10)])
def test_rejects_impossible_counts(satisfied, ratings):
    with pytest.raises(ValueError):
        wilson_interval(satisfied, ratings)
