"""When simulated ratings arrive: a Poisson process over each center's opening hours.

Pure: a seed in, the same ratings out on every machine. Each center has a random stream
of its own (``center_rng``), so adding a center never changes another's ratings. The
30-day alert replay (``monitoring.replay``) is built on it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

from dost_contract.centers import Center
from dost_simulation.ratings import CHANNEL_WEIGHTS, SERVICE_GROUP_WEIGHTS, draw_rating

CHANNELS = tuple(channel.value for channel in CHANNEL_WEIGHTS)


@dataclass(frozen=True)
class RatingArrival:
    """One simulated rating at the moment it arrives."""

    epoch: float
    center_id: str
    channel: str
    rating: int
    service_group: str


def center_rng(seed: int, center_id: str) -> random.Random:
    """One independent stream per center: adding a center never changes another's ratings."""
    return random.Random(f"{seed}:{center_id}")


def simulate_arrivals(
    center: Center,
    *,
    seed: int,
    start_epoch: float,
    end_epoch: float,
    satisfaction: Callable[[str, float], float],
    zone: ZoneInfo,
    ratings_per_visitor: float = 1.0,
) -> list[RatingArrival]:
    """One center's ratings in ``[start_epoch, end_epoch)``, in time order.

    They arrive during the center's opening hours (in ``zone``) at
    ``daily_visitors x ratings_per_visitor`` a day; each is satisfied with probability
    ``satisfaction(center_id, epoch)``, and gets a channel and service group from the
    simulator's mixes.
    """
    rng = center_rng(seed, center.center_id)
    hours = center.hours
    channels, channel_weights = list(CHANNELS), list(CHANNEL_WEIGHTS.values())
    groups, group_weights = [g.value for g in SERVICE_GROUP_WEIGHTS], list(SERVICE_GROUP_WEIGHTS.values())
    out: list[RatingArrival] = []
    day = datetime.fromtimestamp(start_epoch, zone).date()
    last_day = datetime.fromtimestamp(end_epoch, zone).date()
    open_seconds = (datetime.combine(day, hours.closes) - datetime.combine(day, hours.opens)).total_seconds()
    rate = center.daily_visitors * ratings_per_visitor / open_seconds  # ratings per open second
    while day <= last_day:
        if day.weekday() in hours.days:
            opens = datetime.combine(day, hours.opens, tzinfo=zone).timestamp()
            closes = datetime.combine(day, hours.closes, tzinfo=zone).timestamp()
            moment = opens + rng.expovariate(rate)
            while moment < closes:
                if start_epoch <= moment < end_epoch:
                    rating = draw_rating(rng, satisfaction(center.center_id, moment))
                    channel = rng.choices(channels, channel_weights)[0]
                    group = rng.choices(groups, group_weights)[0]
                    out.append(RatingArrival(moment, center.center_id, channel, rating, group))
                moment += rng.expovariate(rate)
        day += timedelta(days=1)
    return out
