"""The on-call receiver: Alertmanager's webhook target, forwarding to on-call channels.

    POST /alertmanager   an Alertmanager webhook payload (version 4), with
                         ``Authorization: Bearer <DOST_ONCALL_WEBHOOK_TOKEN>`` (else 401, nothing
                         stored); 422 if malformed, 503 if it cannot be stored (Alertmanager retries)
    POST /heartbeat      the Watchdog's heartbeat (same token), relayed to DOST_HEARTBEAT_URL
                         (``monitoring.oncall.heartbeat``); 200 with the relay's result
    GET  /alerts         what was received, oldest first (for humans and tests); the same
                         token (else 401): it shows every page's text
    GET  /healthz        liveness
    GET  /metrics        dost_oncall_notifications_total{status,severity} (alerts received),
                         dost_oncall_deliveries_total{channel,severity,result} (sent/retried/failed),
                         dost_oncall_deliveries_undelivered{state} (pending/failed now)

A notification is routed (``monitoring.oncall.messages.notification_route``: the
Alertmanager route it came through, i.e. severity and region) to the channels that
``config/oncall.yaml`` names for that route (``monitoring.oncall.config``). ``AlertIntake``
commits the notification and one delivery per channel to the outbox
(``monitoring.oncall.outbox``, SQLite) before the 200; the dispatcher
(``monitoring.oncall.dispatch``) then sends them with retries and survives restarts.
Every alert is also appended to the journal (``monitoring.oncall.journal``).

Run it with ``dost-feedback receiver`` (binds ``DOST_RECEIVER_HOST:DOST_RECEIVER_PORT``),
or mount ``create_app(settings)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import AsyncIterator, Callable

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError

from dost_channels.db.offload import in_db_thread
from dost_contract import metric_names
from dost_contract.centers import load_registry
from dost_contract.settings import Settings, get_settings
from monitoring.alerting.alertmanager_config import parse_managers_receiver_name
from monitoring.oncall.channels import ChannelSenders
from monitoring.oncall.config import OncallConfig, load_oncall_config, managers_channels, route_channels
from monitoring.oncall.dispatch import Dispatcher
from monitoring.oncall.heartbeat import HeartbeatRelay
from monitoring.oncall.journal import AlertJournal, ReceivedAlert, received_alerts
from monitoring.oncall.messages import NO_SEVERITY, notification_route, sms_text
from monitoring.oncall.outbox import NewChannel, Outbox
from monitoring.oncall.payload import WebhookPayload
from monitoring.oncall.retry import RetryPolicy

logger = logging.getLogger("dost.oncall")


def load_app_oncall_config(settings: Settings) -> OncallConfig:
    """The on-call config, its regions checked against the registry (planned centers included)."""
    known_regions = load_registry(settings, include_planned=True).regions()
    return load_oncall_config(settings.oncall_config_file, known_regions)


class _UndeliveredCollector:
    """dost_oncall_deliveries_undelivered{state}: read from the outbox at scrape time."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    def collect(self):
        family = GaugeMetricFamily(
            metric_names.ONCALL_DELIVERIES_UNDELIVERED,
            "On-call deliveries not (yet) sent: pending (retrying) or failed after the last attempt.",
            labels=["state"],
        )
        counts = self.outbox.counts()
        for state in ("pending", "failed"):
            family.add_metric([state], counts[state])
        yield family


class ReceiverMetrics:
    """The receiver's own registry (a process may run several receivers in tests)."""

    def __init__(self, outbox: Outbox) -> None:
        self.registry = CollectorRegistry()
        self.notifications_total = Counter(
            metric_names.ONCALL_NOTIFICATIONS_TOTAL,
            "Alerts received from Alertmanager, one per alert in a notification.",
            ["status", "severity"],
            registry=self.registry,
        )
        self.deliveries_total = Counter(
            metric_names.ONCALL_DELIVERIES_TOTAL,
            "On-call delivery attempts by outcome: sent, retried (will try again) or failed (gave up).",
            ["channel", "severity", "result"],
            registry=self.registry,
        )
        self.heartbeats_total = Counter(
            metric_names.ONCALL_HEARTBEATS_TOTAL,
            "Watchdog heartbeats from Alertmanager, by relay result to the dead-man's switch.",
            ["result"],
            registry=self.registry,
        )
        self.registry.register(_UndeliveredCollector(outbox))


@dataclass(frozen=True)
class Intake:
    """What one stored notification became."""

    received: int  # alerts in it
    notification_id: int
    channels: list[str]


class AlertIntake:
    """One Alertmanager notification in: routed, stored with a delivery per channel (before the
    200), journaled and counted; then the dispatcher is woken to send it."""

    def __init__(self, config: OncallConfig, outbox: Outbox, journal: AlertJournal,
                 notifications_total: Counter, wake: Callable[[], None],
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.outbox = outbox
        self.journal = journal
        self.notifications_total = notifications_total
        self.wake = wake
        self.clock = clock

    def take(self, payload: WebhookPayload, raw: str) -> Intake:
        """Store ``payload`` (``raw``: its JSON as received). ``SQLAlchemyError`` if it cannot be stored."""
        severity, region = notification_route(payload)
        managers, managers_region = parse_managers_receiver_name(payload.receiver)
        if managers:  # FollowupCasesOverdue: the region's center managers, by e-mail
            channel_names = managers_channels(self.config, managers_region or region)
        else:
            channel_names = route_channels(self.config, severity, region)
        channels = [
            NewChannel(name, self.config.channels[name].type, self.config.channels[name].model_dump())
            for name in channel_names
        ]
        now = self.clock()
        notification_id = self.outbox.persist(
            received_at=now,
            receiver=payload.receiver,
            status=payload.status,
            severity=severity or NO_SEVERITY,
            region=region,
            summary=sms_text(payload),
            payload=raw,
            channels=channels,
        )
        alerts = received_alerts(payload, datetime.fromtimestamp(now, timezone.utc))
        self.journal.append(alerts)
        for alert in alerts:
            self.notifications_total.labels(status=alert.status, severity=alert.severity or NO_SEVERITY).inc()
        self.wake()
        return Intake(len(alerts), notification_id, channel_names)


class BearerToken:
    """The receiver's one credential: ``Authorization: Bearer <token>``, compared in constant time."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("DOST_ONCALL_WEBHOOK_TOKEN is empty; the receiver would accept anyone")
        self.expected = f"Bearer {token}".encode("utf-8")

    def accepts(self, authorization: str | None) -> bool:
        return hmac.compare_digest((authorization or "").encode("utf-8"), self.expected)

    def __call__(self, request: Request) -> None:
        """A FastAPI dependency: 401 unless the request carries the token."""
        if not self.accepts(request.headers.get("authorization")):
            logger.warning("refused an unauthenticated %s %s from %s", request.method, request.url.path,
                           request.client.host if request.client else "?")
            raise HTTPException(401, UNAUTHORIZED_DETAIL, headers={"WWW-Authenticate": "Bearer"})


UNAUTHORIZED_DETAIL = "a valid 'Authorization: Bearer <DOST_ONCALL_WEBHOOK_TOKEN>' header is required"


def create_app(settings: Settings | None = None, oncall_config: OncallConfig | None = None) -> FastAPI:
    """The receiver app. Raises ``OncallConfigError`` for a bad on-call config."""
    settings = settings or get_settings()
    config = oncall_config or load_app_oncall_config(settings)
    journal = AlertJournal(settings.receiver_log_file, settings.receiver_history_size)
    outbox = Outbox(settings.oncall_database)
    metrics = ReceiverMetrics(outbox)
    senders = ChannelSenders(settings)
    dispatcher = Dispatcher(
        outbox, senders, RetryPolicy.from_settings(settings), metrics.deliveries_total,
        settings.oncall_send_timeout_seconds,
    )
    intake = AlertIntake(config, outbox, journal, metrics.notifications_total, dispatcher.wake)
    require_token = BearerToken(settings.oncall_webhook_token.get_secret_value())
    heartbeat = HeartbeatRelay(settings.heartbeat_url, metrics.heartbeats_total, settings.oncall_send_timeout_seconds)
    if settings.profile == "prod" and not settings.heartbeat_url:
        logger.warning("DOST_HEARTBEAT_URL is unset: nothing outside notices if the alert path dies")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(dispatcher.run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await dispatcher.drain()
            await senders.aclose()
            outbox.close()

    app = FastAPI(title="DOST on-call receiver", version="2", lifespan=lifespan)
    app.state.journal = journal
    app.state.outbox = outbox
    app.state.dispatcher = dispatcher
    app.state.oncall_config = config
    app.state.webhook_token = settings.oncall_webhook_token.get_secret_value()
    app.state.heartbeat = heartbeat

    @app.post("/alertmanager", dependencies=[Depends(require_token)],
              responses={401: {"description": "No valid bearer token"},
                         503: {"description": "Not stored; Alertmanager should retry"}})
    async def alertmanager_webhook(payload: WebhookPayload, request: Request) -> Response:
        try:
            raw = (await request.body()).decode("utf-8")
            taken = await in_db_thread(intake.take, payload, raw)  # off the loop: a slow database never stalls it
        except SQLAlchemyError:
            logger.exception("could not store a notification from %s; answering 503 so Alertmanager retries",
                             payload.receiver)
            return JSONResponse({"detail": "notification not stored; retry"}, status_code=503)
        return JSONResponse({"received": taken.received, "notification_id": taken.notification_id,
                             "channels": taken.channels})

    @app.post("/heartbeat", dependencies=[Depends(require_token)],
              responses={401: {"description": "No valid bearer token"}})
    async def watchdog_heartbeat() -> dict[str, str]:
        return {"result": await heartbeat.beat()}

    @app.get("/alerts", dependencies=[Depends(require_token)],
             responses={401: {"description": "No valid bearer token"}})
    async def list_alerts() -> list[ReceivedAlert]:
        return list(journal.history)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics")
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
