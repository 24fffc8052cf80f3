"""What ``POST /api/v1/feedback`` does with a validated body: one object, two entrances.

The FastAPI route (``feedback_web.app``, which documents the endpoint) and the hot path
(``feedback_web.hot_path``, which skips FastAPI's per-request work for a valid rating)
both call ``RatingIntake.accept``, so checks, refusals and their bodies are the same.

Saved on the hot path of volume (an integration client posting ``channel=web``): a key
checked in the last few seconds with a rate-limit token already leased is decided on
the event loop, without a hop to the database threads (``authorize_cached``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from dost_channels.db.offload import in_db_thread
from dost_channels.store import ChannelStore
from dost_channels.tokens import CLIENT_KEY_PREFIX, bearer_token
from dost_contract.centers import CenterRegistry
from dost_contract.events import Channel, FeedbackIn, FeedbackSubmitted
from dost_contract.settings import Settings
from feedback_web.bursts import BurstRules
from feedback_web.credentials import ClientChecks, authorize_rating
from feedback_web.devices import judge_press
from feedback_web.ingest import publish_or_503
from feedback_web.publisher import FeedbackPublisher
from feedback_web.rate_limit import TokenBucket


def field_error(field: str, error_type: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"type": error_type, "loc": ("body", field), "msg": message}])


def authorize_cached(clients: ClientChecks, limiter: TokenBucket, authorization: str | None, center_id: str,
                     channel: Channel) -> str | None:
    """``client:<id>`` when this rating is allowed without the database: the client key was
    allowed for this center and channel in the last few seconds, and a leased token is in
    hand (one is spent). None: ask ``authorize_rating``, which decides every other case."""
    token = bearer_token(authorization)
    if token is None or not token.startswith(CLIENT_KEY_PREFIX):
        return None
    client_id = clients.allowed(token, center_id, channel.value)
    if client_id is None or not limiter.spend_leased(f"client:{client_id}"):
        return None
    return f"client:{client_id}"


def submitted_event(body: FeedbackIn, feedback_id: uuid.UUID, received_at: datetime) -> FeedbackSubmitted:
    """``FeedbackSubmitted.from_input`` without validating again what ``FeedbackIn`` validated."""
    submitted_at = body.submitted_at.astimezone(UTC) if body.submitted_at else received_at
    return FeedbackSubmitted.model_construct(
        feedback_id=feedback_id, center_id=body.center_id, service_group=body.service_group,
        channel=body.channel, rating=body.rating, comment=body.comment, submitted_at=submitted_at,
        received_at=received_at, suspect=None)


class RatingIntake:
    """Checks, publishes and answers one rating for ``POST /api/v1/feedback``."""

    def __init__(self, settings: Settings, registry: CenterRegistry, store: ChannelStore,
                 publisher: FeedbackPublisher, kiosk_limiter: TokenBucket, client_limiter: TokenBucket,
                 client_checks: ClientChecks, burst_rules: BurstRules) -> None:
        self.registry = registry
        self.store = store
        self.publisher = publisher
        self.kiosk_limiter = kiosk_limiter
        self.client_limiter = client_limiter
        self.client_checks = client_checks
        self.burst_rules = burst_rules
        self.max_skew = timedelta(seconds=settings.max_clock_skew_seconds)

    async def accept(self, body: FeedbackIn, authorization: str | None) -> tuple[JSONResponse | None, str]:
        """(None, feedback_id) once the broker acknowledged; else (the refusal or 503, "").

        Raises ``RequestValidationError`` (422) for an unknown center or a future
        ``submitted_at``, before anything is counted against the credential.
        """
        if body.center_id not in self.registry:
            raise field_error("center_id", "unknown_center", f"unknown center_id {body.center_id!r}")
        received_at = datetime.now(UTC)
        if body.submitted_at and body.submitted_at > received_at + self.max_skew:
            raise field_error("submitted_at", "in_future", "submitted_at is in the future")
        feedback = submitted_event(body, body.feedback_id or uuid.uuid4(), received_at)
        if authorize_cached(self.client_checks, self.client_limiter, authorization, body.center_id,
                            body.channel) is None:
            refusal, suspect = await in_db_thread(self.authorize_and_judge, authorization, feedback)
            if refusal is not None:
                return refusal, ""
            if suspect is not None:
                feedback = feedback.model_copy(update={"suspect": suspect})
        failure = await publish_or_503(self.publisher, feedback)
        if failure is not None:
            return failure, ""
        return None, str(feedback.feedback_id)

    def authorize_and_judge(self, authorization: str | None,
                            feedback: FeedbackSubmitted) -> tuple[JSONResponse | None, str | None]:
        """On a database thread: (the refusal, None), or (None, why a tablet's press is suspect or None).

        One hop to the database threads for both: a tablet's credential check and its
        repeated-press rules (suspect presses are kept, answered 202, not counted)."""
        refusal, who = authorize_rating(self.store, self.kiosk_limiter, self.client_limiter, authorization,
                                        feedback.center_id, feedback.channel, self.client_checks)
        if refusal is not None or not who.startswith("device:"):
            return refusal, None
        return None, judge_press(self.store, self.burst_rules, str(feedback.feedback_id), who.removeprefix("device:"),
                                 feedback.center_id, feedback.rating, feedback.submitted_at.timestamp(),
                                 feedback.received_at.timestamp())
