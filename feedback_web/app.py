"""The FastAPI app: the API, the citizen channels, ``/healthz`` and ``/metrics``.

A rating is answered 202 only after Kafka acknowledged it. If the broker does not
answer in time the citizen's client gets 503 with the ``feedback_id``; retrying with
that id is safe because the workers count each id once.

Channels (see docs/channels.md): the kiosk page and its device tokens (``kiosk``,
``devices``), QR links (``qr``) and SMS replies (``sms.inbound``), sharing one channel
store with the SMS-invitation agent.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from dost_channels.cases import CaseStore
from dost_channels.sms_gateway import create_gateway
from dost_channels.store import ChannelStore
from dost_channels.users import ManagerUsers
from dost_contract import __version__
from dost_contract.centers import CenterRegistry, load_registry
from dost_contract.events import FeedbackIn
from dost_contract.settings import Settings, get_settings
from feedback_web import metrics
from feedback_web.bursts import BurstRules
from feedback_web.credentials import ClientChecks, Refused, require_credential
from feedback_web.guards import RequestGuards
from feedback_web.hot_path import HotPath
from feedback_web.intake import RatingIntake
from feedback_web.kiosk import kiosk_router
from feedback_web.manage.auth import (
    CsrfRefused,
    Gate,
    Unauthorized,
    auth_router,
    csrf_refused_response,
    unauthorized_response,
)
from feedback_web.manage.cases_api import cases_api_router
from feedback_web.manage.cases_pages import cases_router
from feedback_web.publisher import FeedbackPublisher
from feedback_web.qr import qr_router
from feedback_web.rate_limit import TokenBucket
from feedback_web.sms.inbound import sms_router

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"


class Accepted(BaseModel):
    feedback_id: str


class Problem(BaseModel):
    detail: str
    code: str | None = None
    feedback_id: str | None = None


def create_app(settings: Settings | None = None, registry: CenterRegistry | None = None) -> FastAPI:
    settings = settings or get_settings()
    registry = registry or load_registry(settings)
    publisher = FeedbackPublisher(settings)
    store = ChannelStore(settings.channels_database)
    gateway = create_gateway(settings)
    kiosk_limiter = TokenBucket(store, settings.kiosk_rate_limit_seconds, settings.kiosk_rate_limit_burst)
    client_limiter = TokenBucket(store, 1.0 / settings.client_rate_limit_per_second, settings.client_rate_limit_burst)
    ip_limiter = TokenBucket(store, 1.0 / settings.public_rate_limit_per_second, settings.public_rate_limit_burst)
    client_checks = ClientChecks(store)
    burst_rules = BurstRules(repeat_seconds=settings.kiosk_repeat_seconds, max_per_minute=settings.kiosk_max_per_minute,
                             window_seconds=settings.kiosk_burst_window_seconds, margin=settings.kiosk_burst_margin)
    intake = RatingIntake(settings, registry, store, publisher, kiosk_limiter, client_limiter, client_checks,
                          burst_rules)
    # Managers: failed sign-ins are limited per e-mail (5 at once, then one a minute).
    users = ManagerUsers(settings.channels_database)
    cases = CaseStore(settings.channels_database)
    gate = Gate(settings, users, TokenBucket(store, 60.0, 5))
    settings.warn_if_insecure(log)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        await publisher.close()
        store.close()
        users.close()
        cases.engine.dispose()  # CaseStore.close is the "close a case" action (A), not Database.close

    app = FastAPI(
        title="DOST feedback",
        version=__version__,
        description="Citizen satisfaction ratings for DOST social-service centers.",
        lifespan=lifespan,
    )
    app.state.publisher = publisher
    app.add_middleware(HotPath, intake=intake)  # inside the guards: body limit and IP limit first
    app.add_middleware(RequestGuards, max_body_bytes=settings.max_request_body_bytes, ip_limiter=ip_limiter)
    app.state.store = store

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> JSONResponse:
        return exc.response

    @app.exception_handler(Unauthorized)
    async def _unauthorized(request: Request, exc: Unauthorized) -> JSONResponse:
        return unauthorized_response()

    @app.exception_handler(CsrfRefused)
    async def _csrf_refused(request: Request, exc: CsrfRefused) -> JSONResponse:
        return csrf_refused_response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        metrics.FEEDBACK_REJECTED_TOTAL.labels("invalid").inc()
        errors = [
            {key: error[key] for key in ("type", "loc", "msg") if key in error} for error in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": errors})

    @app.post(
        "/api/v1/feedback",
        status_code=202,
        response_model=Accepted,
        responses={
            401: {"model": Problem, "description": "no credential, or an unknown or revoked one"},
            403: {"model": Problem, "description": "the credential is not scoped to this center or channel"},
            422: {"description": "Field errors"},
            413: {"model": Problem, "description": "the body is over DOST_MAX_REQUEST_BODY_BYTES"},
            429: {"model": Problem, "description": "this device or client is over its rate limit"},
            503: {"model": Problem},
        },
    )
    async def submit_feedback(
        body: FeedbackIn,
        authorization: str | None = Header(
            default=None, description="Bearer <kiosk device token or integration client key>"),
        _credential: None = Depends(require_credential),
    ) -> Accepted | JSONResponse:
        """Accept one rating. Every rating carries a credential (``Authorization: Bearer ...``):
        a kiosk device token for ``channel=kiosk``, or an integration client key. Answers 202
        only after the broker acknowledged it."""
        refusal, feedback_id = await intake.accept(body, authorization)
        if refusal is not None:
            return refusal
        return Accepted(feedback_id=feedback_id)

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

    # The citizen channels come after the API, so the hot path is matched first.
    app.include_router(kiosk_router(settings, registry))
    app.include_router(qr_router(settings, registry, store, publisher))
    app.include_router(sms_router(settings, store, publisher, gateway))
    app.include_router(auth_router(gate))
    app.include_router(cases_router(gate, cases, store, registry))
    app.include_router(cases_api_router(gate, cases, store, registry))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    return app
