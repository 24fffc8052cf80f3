"""The Wilson score interval for a satisfaction ratio.

A center with 19 satisfied ratings out of 20 has an observed ratio of 0.95, but that
small sample cannot tell 0.95 from 0.99. The Wilson interval says which true ratios the
sample is consistent with; the page alert fires only when even the interval's *upper*
bound is below target, i.e. when the evidence says the center really is below it.

This module is the reference implementation; ``monitoring.alerting.rules`` renders the same
formula in PromQL and the tests check the two agree.
"""

from __future__ import annotations

import math

# Two-sided 95% confidence: the contract's page alert uses the 95% interval.
Z_95 = 1.96


def wilson_interval(satisfied: int | float, ratings: int | float, z: float = Z_95) -> tuple[float, float]:
    """Return ``(lower, upper)`` of the Wilson score interval for ``satisfied / ratings``.

    The textbook form, with p = satisfied / ratings and n = ratings, is::

        centre ± margin = (p + z²/(2n) ± z·sqrt(p(1-p)/n + z²/(4n²))) / (1 + z²/n)

    Multiplying through by n gives the equivalent count form used here and in PromQL::

        (satisfied + z²/2 ± z·sqrt(satisfied·(ratings - satisfied)/ratings + z²/4)) / (ratings + z²)
    """
    if ratings <= 0:
        raise ValueError("the Wilson interval needs at least one rating")
    if not 0 <= satisfied <= ratings:
        raise ValueError(f"satisfied must be between 0 and ratings, got {satisfied} of {ratings}")
    z_squared = z * z
    centre = satisfied + z_squared / 2
    margin = z * math.sqrt(satisfied * (ratings - satisfied) / ratings + z_squared / 4)
    denominator = ratings + z_squared
    return (centre - margin) / denominator, (centre + margin) / denominator


def wilson_upper(satisfied: int | float, ratings: int | float, z: float = Z_95) -> float:
    return wilson_interval(satisfied, ratings, z)[1]


def wilson_lower(satisfied: int | float, ratings: int | float, z: float = Z_95) -> float:
    return wilson_interval(satisfied, ratings, z)[0]
