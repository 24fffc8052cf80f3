"""Validating raw ``feedback.submitted`` records: pure, so it is unit-tested without Kafka."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Container

import orjson
from pydantic import ValidationError

from dost_contract.events import (
    MAX_COMMENT_CHARS,
    MAX_RATING,
    MIN_RATING,
    SCHEMA_VERSION,
    Channel,
    FeedbackSubmitted,
    ServiceGroup,
)
from streams.dedup import fingerprint

# Every Rejection.reason below. The worker starts each reason's dead-letter counter at 0,
# so the first dead letter is an increase Prometheus can see (DostDeadLettersAppearing).
CONFLICTING_DUPLICATE = "conflicting_duplicate"
SUSPECT_BURST = "suspect_burst"
REJECTION_REASONS = ("empty", "not_json", "invalid_schema", "unknown_center", "too_late", "in_future",
                     SUSPECT_BURST, CONFLICTING_DUPLICATE)
CHANNELS = frozenset(c.value for c in Channel)
SERVICE_GROUPS = frozenset(g.value for g in ServiceGroup)


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: str  # low-cardinality: a metric label and the dead letter's "reason"
    detail: str


@dataclass(frozen=True, slots=True)
class ParsedRating:
    """What the counter needs of one ``feedback.submitted`` record (``FeedbackSubmitted``'s rules)."""

    feedback_id: bytes  # the UUID's 16 bytes, so every spelling of one id is one key
    center_id: str
    service_group: str | None
    channel: str
    rating: int
    submitted_at: float  # epoch seconds, UTC
    received_at: float
    content: int  # streams.dedup.fingerprint of what the rating says


def validate_record(raw: bytes | None, known_centers: Container[str]) -> FeedbackSubmitted | Rejection:
    """The record as the event contract's pydantic model (the sentiment worker needs the whole event)."""
    if raw is None:
        return Rejection("empty", "record has no value")
    try:
        feedback = FeedbackSubmitted.from_kafka(raw)
    except ValidationError as exc:
        reason = "not_json" if any(e["type"] == "json_invalid" for e in exc.errors()) else "invalid_schema"
        return Rejection(reason, _short_errors(exc))
    if feedback.center_id not in known_centers:
        return Rejection("unknown_center", f"center_id {feedback.center_id!r} is not in the registry")
    if feedback.suspect is not None:
        return _suspect(feedback.suspect)
    return feedback


def _suspect(why: str) -> Rejection:
    # The web judged it repeated presses (feedback_web/bursts.py): kept, never counted.
    return Rejection(SUSPECT_BURST, f"kiosk rating beyond a plausible flow ({why})")


def _short_errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'value'}: {error['msg']}" for error in exc.errors()
    )[:500]


def parse_rating(raw: bytes | None, known_centers: Container[str]) -> ParsedRating | Rejection:
    """What the rating counter needs of a record, checked against the event contract.

    By hand rather than through the pydantic model (``validate_record``): this runs once
    per event on the rating worker's hot path, where a model per event cost more than
    everything else the counter does. ``tests/streams/test_validation.py`` holds the two
    to the same verdicts.
    """
    if raw is None:
        return Rejection("empty", "record has no value")
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Rejection("not_json", f"value: Invalid JSON: {exc}"[:500])
    if type(doc) is not dict:
        return Rejection("invalid_schema", f"value: Input should be a JSON object, not {type(doc).__name__}")
    errors: list[str] = []
    version = doc.get("schema_version", SCHEMA_VERSION)
    if type(version) is not int or version != SCHEMA_VERSION:
        errors.append(f"schema_version: Input should be {SCHEMA_VERSION}")
    feedback_id = _uuid_bytes(doc.get("feedback_id"), errors)
    center_id = doc.get("center_id")
    if type(center_id) is not str:
        errors.append("center_id: Input should be a valid string")
    group = doc.get("service_group")
    if group is not None and group not in SERVICE_GROUPS:
        errors.append(f"service_group: Input should be one of {', '.join(sorted(SERVICE_GROUPS))}")
    channel = doc.get("channel")
    if channel not in CHANNELS:
        errors.append(f"channel: Input should be one of {', '.join(sorted(CHANNELS))}")
    rating = doc.get("rating")
    if type(rating) is not int:
        errors.append("rating: Input should be a valid integer")
    elif not MIN_RATING <= rating <= MAX_RATING:
        errors.append(f"rating: Input should be between {MIN_RATING} and {MAX_RATING}")
    comment = doc.get("comment")
    if comment is not None and (type(comment) is not str or len(comment) > MAX_COMMENT_CHARS):
        errors.append(f"comment: Input should be a string of at most {MAX_COMMENT_CHARS} characters")
    suspect = doc.get("suspect")
    if suspect is not None and type(suspect) is not str:
        errors.append("suspect: Input should be a valid string")
    submitted = _aware_epoch("submitted_at", doc.get("submitted_at"), errors)
    received = _aware_epoch("received_at", doc.get("received_at"), errors)
    if errors:
        return Rejection("invalid_schema", "; ".join(errors)[:500])
    if center_id not in known_centers:
        return Rejection("unknown_center", f"center_id {center_id!r} is not in the registry")
    if suspect is not None:
        return _suspect(suspect)
    return ParsedRating(feedback_id, center_id, group, channel, rating, submitted, received,
                        fingerprint(center_id, group, channel, rating, comment))


def _uuid_bytes(value: Any, errors: list[str]) -> bytes:
    if type(value) is str:
        try:
            return uuid.UUID(value).bytes
        except ValueError:
            pass
    errors.append("feedback_id: Input should be a valid UUID")
    return b""


def _aware_epoch(field: str, value: Any, errors: list[str]) -> float:
    if type(value) is str:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment.timestamp()
        if moment is not None:
            errors.append(f"{field}: Input should have timezone info")
            return 0.0
    errors.append(f"{field}: Input should be an ISO-8601 date and time with an offset")
    return 0.0


def deadletter_record(
    raw: bytes | None, rejection: Rejection, topic: str, partition: int, offset: int, failed_at: datetime
) -> dict:
    """The dead letter: what failed, why, and where it came from, so it can be replayed."""
    return {
        "reason": rejection.reason,
        "detail": rejection.detail,
        "source": {"topic": topic, "partition": partition, "offset": offset},
        "original": raw.decode("utf-8", errors="replace") if raw is not None else None,
        "failed_at": failed_at.isoformat(),
    }


def check_timeliness(
    feedback: ParsedRating, allowed_lateness_seconds: float, max_clock_skew_seconds: float
) -> Rejection | None:
    """Refuse ratings that arrived too long after the visit, or that claim to come from the future.

    Lateness is measured at ingest (``received_at - submitted_at``), not at processing,
    so a replay after an outage decides exactly as the first pass did.
    """
    delay = feedback.received_at - feedback.submitted_at
    if delay > allowed_lateness_seconds:
        return Rejection(
            "too_late",
            f"submitted_at is {delay / 3600:.1f} h before received_at; "
            f"the allowed lateness is {allowed_lateness_seconds / 3600:g} h",
        )
    if -delay > max_clock_skew_seconds:
        return Rejection("in_future", f"submitted_at is {-delay:.0f} s after received_at")
    return None
