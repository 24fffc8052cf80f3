"""Run lengths of the change detectors' CUSUMs, exactly, as a Markov chain (Brook and Evans, 1972).

The detector (``streams.detector``) scores in whole points: an unhappy rating adds
``unhappy_points``, a satisfied one removes ``satisfied_points``, the score is floored at 0
and alarms at ``page_points``. Per rating, that score is a Markov chain on the states
0 .. page_points-1 plus one absorbing state (the alarm); there is no discretisation error.
With Q the transient part of its transition matrix, at a true unhappy share q:

- the average run length (ratings until the alarm, from 0) is the first entry of (I - Q)^-1 · 1;
- P(alarm within n ratings) = 1 - e0 · Q^n · 1 gives the median and 95th-percentile delay.

The worker applies the floor once per hourly bucket rather than per rating, which can only
make its score lower (a lower false-alarm rate, a slightly longer delay);
``bench/detector_acceptance.py`` measures the hourly detector itself by simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dost_contract.change_detection import DetectorSpec


@dataclass(frozen=True)
class CusumChain:
    up: int  # points per unhappy rating
    down: int  # points per satisfied rating
    alarm: int  # the score that alarms (states 0 .. alarm-1 are transient)
    q: float  # the true unhappy share

    @classmethod
    def for_spec(cls, spec: DetectorSpec, q: float, alarm: int | None = None) -> CusumChain:
        if not 0 <= q <= 1:
            raise ValueError(f"the unhappy share must be in [0, 1], got {q}")
        return cls(spec.unhappy_points, spec.satisfied_points, spec.page_points if alarm is None else alarm, q)

    def __post_init__(self) -> None:
        if self.up <= 0 or self.down <= 0 or self.alarm <= 0:
            raise ValueError(f"points and the alarm level must be positive: {self}")

    def transient_matrix(self) -> np.ndarray:
        n = self.alarm
        matrix = np.zeros((n, n))
        rows = np.arange(n)
        up = rows + self.up
        inside = up < n
        matrix[rows[inside], up[inside]] += self.q
        matrix[rows, np.maximum(rows - self.down, 0)] += 1 - self.q
        return matrix

    def average_run_length(self) -> float:
        """Ratings from a score of 0 to the alarm, on average (inf when it cannot alarm)."""
        if self.q == 0:
            return math.inf
        system = np.eye(self.alarm) - self.transient_matrix()
        return float(np.linalg.solve(system, np.ones(self.alarm))[0])

    def step(self, state: np.ndarray) -> np.ndarray:
        """The distribution over the transient scores after one more rating."""
        n = self.alarm
        new = np.zeros_like(state)
        if self.up < n:
            new[self.up:] += self.q * state[: n - self.up]
        satisfied = (1 - self.q) * state
        new[0] += satisfied[: self.down].sum()
        if self.down < n:
            new[: n - self.down] += satisfied[self.down:]
        return new

    def delay_quantiles(self, probabilities: tuple[float, ...], limit: int = 1_000_000) -> tuple[int, ...]:
        """For each probability, the smallest n with P(alarm within n ratings) >= it (from 0)."""
        state = np.zeros(self.alarm)
        state[0] = 1.0
        wanted = sorted(probabilities)
        found: dict[float, int] = {}
        for n in range(1, limit + 1):
            state = self.step(state)
            alarmed = 1 - state.sum()
            while wanted and alarmed >= wanted[0] - 1e-12:
                found[wanted.pop(0)] = n
            if not wanted:
                return tuple(found[p] for p in probabilities)
        raise ValueError(f"no alarm with probability {wanted[0]} within {limit} ratings")


def integer_points(p0: float, p1: float, max_satisfied_points: int = 4) -> tuple[int, int]:
    """(unhappy, satisfied) whole points whose ratio best matches log(p1/p0) : -log((1-p1)/(1-p0))."""
    if not 0 < p0 < p1 < 1:
        raise ValueError(f"need 0 < p0 < p1 < 1, got p0={p0}, p1={p1}")
    ratio = math.log(p1 / p0) / -math.log((1 - p1) / (1 - p0))
    best = min(range(1, max_satisfied_points + 1), key=lambda d: (abs(round(ratio * d) / d - ratio) / ratio, d))
    return round(ratio * best), best


def alarm_for_run_length(up: int, down: int, q: float, ratings: float) -> int:
    """The smallest alarm level whose average run length at ``q`` is at least ``ratings``."""
    low, high = 0, max(up, 1)
    while CusumChain(up, down, high, q).average_run_length() < ratings:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if CusumChain(up, down, middle, q).average_run_length() < ratings:
            low = middle
        else:
            high = middle
    return high
