"""Realistic simulated citizen traffic: pure functions of a seeded random generator.

Volume follows each center's ``daily_visitors`` (a Baku center draws ~28x the ratings
of the Agali smart point). A healthy center is satisfied at ``baseline_satisfaction``;
a degraded one at the ratio the operator chose.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping, Sequence

from dost_contract.centers import Center
from dost_contract.events import Channel, ServiceGroup

# Rough channel and service mix of a DOST center's exit traffic.
CHANNEL_WEIGHTS = {Channel.KIOSK: 0.6, Channel.SMS: 0.3, Channel.WEB: 0.1}
SERVICE_GROUP_WEIGHTS = {
    ServiceGroup.PENSIONS: 0.2,
    ServiceGroup.SOCIAL_BENEFITS: 0.18,
    ServiceGroup.EMPLOYMENT: 0.14,
    ServiceGroup.DISABILITY: 0.1,
    ServiceGroup.SOCIAL_INSURANCE: 0.09,
    ServiceGroup.MEDICO_SOCIAL_EXPERTISE: 0.07,
    ServiceGroup.SOCIAL_SERVICES: 0.07,
    ServiceGroup.LABOR_RELATIONS: 0.06,
    ServiceGroup.SOCIAL_LEGAL: 0.04,
    ServiceGroup.SOCIAL_HOUSEHOLD: 0.03,
    ServiceGroup.SOCIAL_PEDAGOGICAL: 0.02,
}
COMMENT_PROBABILITY = {"satisfied": 0.15, "unsatisfied": 0.6}
POSITIVE_COMMENTS = (
    "Çox sağ olun, hər şey tez və rahat oldu.",
    "İşçilər çox nəzakətli idi.",
    "Спасибо, всё быстро и вежливо.",
    "Очень удобно, всё в одном окне.",
    "Quick service and friendly staff, thank you.",
    "Everything was clear and well organised.",
)
NEGATIVE_COMMENTS = (
    "Növbə çox uzun idi, iki saat gözlədim.",
    "Sənədlərimi bir neçə dəfə geri qaytardılar.",
    "Очень долго ждал в очереди.",
    "Сотрудник был невежлив и ничего не объяснил.",
    "I waited over an hour and the system was down.",
    "Nobody could tell me which documents I needed.",
)


@dataclass(frozen=True)
class SimulatedRating:
    feedback_id: uuid.UUID
    center_id: str
    service_group: ServiceGroup
    channel: Channel
    rating: int
    comment: str | None
    submitted_at: datetime

    def api_body(self) -> dict:
        body = {
            "feedback_id": str(self.feedback_id),
            "center_id": self.center_id,
            "service_group": self.service_group.value,
            "channel": self.channel.value,
            "rating": self.rating,
            "submitted_at": self.submitted_at.isoformat(),
        }
        if self.comment:
            body["comment"] = self.comment
        return body


def parse_degradations(specs: Sequence[str], known_centers: Sequence[str]) -> dict[str, float]:
    """``["baku-3=0.9"]`` -> ``{"baku-3": 0.9}``, with errors a user can act on."""
    degraded: dict[str, float] = {}
    for spec in specs:
        center_id, sep, ratio_text = spec.partition("=")
        if not sep:
            raise ValueError(f"--degrade expects CENTER=RATIO, e.g. baku-3=0.90; got {spec!r}")
        if center_id not in known_centers:
            raise ValueError(f"--degrade: unknown center {center_id!r}; known: {', '.join(known_centers)}")
        try:
            ratio = float(ratio_text)
        except ValueError:
            raise ValueError(f"--degrade: {ratio_text!r} is not a number between 0 and 1") from None
        if not 0.0 <= ratio <= 1.0:
            raise ValueError(f"--degrade: satisfaction must be between 0 and 1; got {ratio}")
        degraded[center_id] = ratio
    return degraded


def draw_rating(rng: random.Random, satisfaction: float) -> int:
    """A 1-5 rating whose chance of being satisfied (4 or 5) is ``satisfaction``."""
    if rng.random() < satisfaction:
        return 5 if rng.random() < 0.85 else 4
    return rng.choices((1, 2, 3), weights=(0.5, 0.3, 0.2))[0]


def _weighted(rng: random.Random, weights: Mapping):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def draw_feedback(
    rng: random.Random,
    centers: Sequence[Center],
    now: datetime,
    baseline_satisfaction: float,
    degraded: Mapping[str, float],
    channels: Mapping[Channel, float] = CHANNEL_WEIGHTS,
) -> SimulatedRating:
    center = rng.choices(centers, weights=[c.daily_visitors for c in centers])[0]
    rating = draw_rating(rng, degraded.get(center.center_id, baseline_satisfaction))
    satisfied = rating >= 4
    comment = None
    if rng.random() < COMMENT_PROBABILITY["satisfied" if satisfied else "unsatisfied"]:
        comment = rng.choice(POSITIVE_COMMENTS if satisfied else NEGATIVE_COMMENTS)
    return SimulatedRating(
        feedback_id=uuid.UUID(int=rng.getrandbits(128), version=4),
        center_id=center.center_id,
        service_group=_weighted(rng, SERVICE_GROUP_WEIGHTS),
        channel=_weighted(rng, channels),
        rating=rating,
        comment=comment,
        submitted_at=now,
    )
