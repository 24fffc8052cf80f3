"""The event contract: what a citizen submits and what travels on ``feedback.submitted``.

``feedback_id`` is the idempotency key: a client that retries sends the same id, and
the stream workers count each id once.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, field_validator

SCHEMA_VERSION = 1
MAX_COMMENT_CHARS = 1000
# Satisfied means a rating of 4 or 5 on the 1-5 scale.
MIN_RATING = 1
MAX_RATING = 5
SATISFIED_MIN_RATING = 4


class Channel(StrEnum):
    KIOSK = "kiosk"
    SMS = "sms"
    QR = "qr"
    WEB = "web"  # an authenticated integration client (API client key)


class ServiceGroup(StrEnum):
    EMPLOYMENT = "employment"
    PENSIONS = "pensions"
    SOCIAL_BENEFITS = "social_benefits"
    SOCIAL_SERVICES = "social_services"
    DISABILITY = "disability"
    MEDICO_SOCIAL_EXPERTISE = "medico_social_expertise_rehabilitation"
    SOCIAL_INSURANCE = "social_insurance"
    LABOR_RELATIONS = "labor_relations"
    SOCIAL_LEGAL = "social_legal"
    SOCIAL_HOUSEHOLD = "social_household"
    SOCIAL_PEDAGOGICAL = "social_pedagogical"


Rating = Annotated[StrictInt, Field(ge=MIN_RATING, le=MAX_RATING, description="1 (very unhappy) to 5 (very happy)")]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def is_satisfied(rating: int) -> bool:
    return rating >= SATISFIED_MIN_RATING


class FeedbackIn(BaseModel):
    """The body of ``POST /api/v1/feedback``."""

    model_config = ConfigDict(extra="forbid")

    feedback_id: uuid.UUID | None = Field(
        None, description="Client-chosen idempotency key; a retry with the same id is counted once."
    )
    center_id: str = Field(min_length=1, max_length=64)
    service_group: ServiceGroup | None = None
    channel: Channel = Channel.WEB
    rating: Rating
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)
    submitted_at: AwareDatetime | None = Field(
        None, description="When the citizen rated (UTC ISO-8601 with offset); defaults to receipt time."
    )

    @field_validator("comment")
    @classmethod
    def _blank_comment_is_none(cls, comment: str | None) -> str | None:
        if comment is None:
            return None
        comment = comment.strip()
        return comment or None


class FeedbackSubmitted(BaseModel):
    """An accepted rating as published to ``feedback.submitted`` (JSON, keyed by center_id)."""

    model_config = ConfigDict(extra="ignore")

    schema_version: Literal[1] = SCHEMA_VERSION
    feedback_id: uuid.UUID
    center_id: str
    service_group: ServiceGroup | None = None
    channel: Channel
    rating: Rating
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)
    submitted_at: AwareDatetime
    received_at: AwareDatetime
    # Set by the web on a kiosk rating beyond a plausible flow (repeat_press, over_rate,
    # over_visits): kept, answered 202, but the worker sends it to the dead letters.
    suspect: str | None = None

    @field_validator("submitted_at", "received_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(timezone.utc)

    @classmethod
    def from_input(cls, body: FeedbackIn, received_at: datetime | None = None) -> "FeedbackSubmitted":
        received_at = received_at or utc_now()
        return cls(
            feedback_id=body.feedback_id or uuid.uuid4(),
            center_id=body.center_id,
            service_group=body.service_group,
            channel=body.channel,
            rating=body.rating,
            comment=body.comment,
            submitted_at=body.submitted_at or received_at,
            received_at=received_at,
        )

    def to_kafka(self) -> tuple[bytes, bytes]:
        """(key, value) for Kafka: keyed by center_id so a center's events stay in order."""
        return self.center_id.encode(), self.model_dump_json().encode()

    @classmethod
    def from_kafka(cls, value: bytes | str | dict) -> "FeedbackSubmitted":
        if isinstance(value, dict):
            return cls.model_validate(value)
        return cls.model_validate_json(value)
