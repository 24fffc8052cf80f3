"""The FastAPI app: ``POST /api/v1/feedback``, ``/healthz`` and ``/metrics``.

A rating is answered 202 only after Kafka acknowledged it. If the broker does not
answer in time the citizen's client gets 503 with the ``feedback_id``; retrying with
that id is safe because the workers count each id once.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from dost_feedback import __version__
from dost_feedback.centers import CenterRegistry, load_registry
from dost_feedback.events import Channel, FeedbackIn, FeedbackSubmitted, utc_now
from dost_feedback.settings import Settings, get_settings
from feedback_web import metrics
from feedback_web.publisher import BrokerUnavailable, FeedbackPublisher


class Accepted(BaseModel):
    feedback_id: str


class Problem(BaseModel):
    detail: str
    feedback_id: str | None = None


def create_app(settings: Settings | None = None, registry: CenterRegistry | None = None) -> FastAPI:
    settings = settings or get_settings()
    registry = registry or load_registry(settings)
    publisher = FeedbackPublisher(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        await publisher.close()

    app = FastAPI(
        title="DOST feedback",
        version=__version__,
        description="Citizen satisfaction ratings for DOST social-service centers.",
        lifespan=lifespan,
    )
    app.state.publisher = publisher

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        metrics.FEEDBACK_REJECTED_TOTAL.labels("invalid").inc()
        errors = [
            {key: error[key] for key in ("type", "loc", "msg") if key in error} for error in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": errors})

    def field_error(field: str, error_type: str, message: str) -> RequestValidationError:
        return RequestValidationError([{"type": error_type, "loc": ("body", field), "msg": message}])

    @app.post(
        "/api/v1/feedback",
        status_code=202,
        response_model=Accepted,
        responses={401: {"model": Problem}, 422: {"description": "Field errors"}, 503: {"model": Problem}},
    )
    async def submit_feedback(
        body: FeedbackIn, authorization: str | None = Header(default=None)
    ) -> Accepted | JSONResponse:
        """Accept one rating. Answers 202 only after the broker acknowledged it."""
        if body.center_id not in registry:
            raise field_error("center_id", "unknown_center", f"unknown center_id {body.center_id!r}")
        received_at = utc_now()
        if body.submitted_at and body.submitted_at > received_at + timedelta(seconds=settings.max_clock_skew_seconds):
            raise field_error("submitted_at", "in_future", "submitted_at is in the future")
        if body.channel == Channel.KIOSK and not (authorization or "").startswith("Bearer "):
            metrics.FEEDBACK_REJECTED_TOTAL.labels("unauthorized").inc()
            return JSONResponse(
                status_code=401,
                content={"detail": "kiosk submissions need a device token (Authorization: Bearer ...)"},
            )
        feedback = FeedbackSubmitted.from_input(body, received_at=received_at)
        with metrics.PUBLISH_SECONDS.time():
            try:
                await publisher.publish(feedback)
            except BrokerUnavailable as exc:
                metrics.FEEDBACK_REJECTED_TOTAL.labels("broker_unavailable").inc()
                return JSONResponse(
                    status_code=503,
                    headers={"Retry-After": "5"},
                    content={
                        "detail": "the feedback broker is unavailable; the rating was not recorded. "
                        "Retry with the same feedback_id; it will be counted once. "
                        f"({exc})",
                        "feedback_id": str(feedback.feedback_id),
                    },
                )
        metrics.FEEDBACK_ACCEPTED_TOTAL.labels(feedback.channel.value).inc()
        return Accepted(feedback_id=str(feedback.feedback_id))

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        broker_ok = await publisher.ping()
        return JSONResponse(
            status_code=200 if broker_ok else 503,
            content={"status": "ok" if broker_ok else "degraded", "broker": "ok" if broker_ok else "unavailable"},
        )

    @app.get("/metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
