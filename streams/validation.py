"""Validating raw ``feedback.submitted`` records: pure, so it is unit-tested without Kafka."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Container

from pydantic import ValidationError

from dost_contract.events import FeedbackSubmitted

# Every Rejection.reason below. The worker starts each reason's dead-letter counter at 0,
# so the first dead letter is an increase Prometheus can see (DostDeadLettersAppearing).
REJECTION_REASONS = ("empty", "not_json", "invalid_schema", "unknown_center", "too_late", "in_future",
                     "suspect_burst")


@dataclass(frozen=True)
class Rejection:
    reason: str  # low-cardinality: a metric label and the dead letter's "reason"
    detail: str


def validate_record(raw: bytes | None, known_centers: Container[str]) -> FeedbackSubmitted | Rejection:
    if raw is None:
        return Rejection("empty", "record has no value")
    try:
        feedback = FeedbackSubmitted.from_kafka(raw)
    except ValidationError as exc:
        reason = "not_json" if any(e["type"] == "json_invalid" for e in exc.errors()) else "invalid_schema"
        return Rejection(reason, _short_errors(exc))
    if feedback.center_id not in known_centers:
        return Rejection("unknown_center", f"center_id {feedback.center_id!r} is not in the registry")
    if feedback.suspect is not None:  # the web judged it repeated presses: kept, not counted
        return Rejection("suspect_burst", f"kiosk rating beyond a plausible flow ({feedback.suspect})")
    return feedback


def _short_errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'value'}: {error['msg']}" for error in exc.errors()
    )[:500]


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
    feedback: FeedbackSubmitted, allowed_lateness_seconds: float, max_clock_skew_seconds: float
) -> Rejection | None:
    """Refuse ratings that arrived too long after the visit, or that claim to come from the future.

    Lateness is measured at ingest (``received_at - submitted_at``), not at processing,
    so a replay after an outage decides exactly as the first pass did.
    """
    delay = (feedback.received_at - feedback.submitted_at).total_seconds()
    if delay > allowed_lateness_seconds:
        return Rejection(
            "too_late",
            f"submitted_at is {delay / 3600:.1f} h before received_at; "
            f"the allowed lateness is {allowed_lateness_seconds / 3600:g} h",
        )
    if -delay > max_clock_skew_seconds:
        return Rejection("in_future", f"submitted_at is {-delay:.0f} s after received_at")
    return None
