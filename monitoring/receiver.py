"""The on-call receiver: Alertmanager's webhook target, forwarding to on-call channels.

    POST /alertmanager   an Alertmanager webhook payload (version 4); 422 if malformed,
                         503 if it cannot be stored (Alertmanager then retries)
    GET  /alerts         what was received, oldest first (for humans and tests)
    GET  /healthz        liveness
    GET  /metrics        dost_oncall_notifications_total{status,severity} (alerts received),
                         dost_oncall_deliveries_total{channel,severity,result} (sent/retried/failed),
                         dost_oncall_deliveries_undelivered{state} (pending/failed now)

A notification is routed (``monitoring.oncall_messages.notification_route``: the
Alertmanager route it came through, i.e. severity and region) to the channels that
``config/oncall.yaml`` names for that route (``monitoring.oncall_config``). The notification
and one delivery per channel are committed to the outbox (``monitoring.oncall_outbox``,
SQLite) before the 200; the dispatcher (``monitoring.oncall_dispatch``) then sends them
with retries and survives restarts. Every alert is also appended as one JSON line to
``settings.receiver_log_file`` and logged on ``dost.oncall``.

Run it with ``dost-feedback receiver`` (binds
``DOST_RECEIVER_HOST:DOST_RECEIVER_PORT``), or mount ``create_app(settings)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from pydantic import BaseModel

from dost_feedback.centers import load_registry
from dost_feedback.settings import Settings, get_settings
from monitoring.oncall_channels import ChannelSenders
from monitoring.oncall_config import OncallConfig, load_oncall_config, route_channels
from monitoring.oncall_dispatch import Dispatcher
from monitoring.oncall_messages import NO_SEVERITY, notification_route, sms_text
from monitoring.oncall_outbox import NewChannel, Outbox
from monitoring.oncall_retry import RetryPolicy
from monitoring.webhook_payload import AlertStatus, WebhookAlert, WebhookPayload

__all__ = ["AlertStatus", "WebhookAlert", "WebhookPayload", "ReceivedAlert", "create_app", "read_journal"]

logger = logging.getLogger("dost.oncall")  # one JSON record per received alert


# --- what the receiver keeps: one record per alert ----------------------------------------


class ReceivedAlert(BaseModel):
    received_at: datetime
    status: AlertStatus
    alertname: str | None
    center_id: str | None
    severity: str | None
    annotations: dict[str, str]
    fingerprint: str
    labels: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    receiver: str


def received_alerts(payload: WebhookPayload, received_at: datetime) -> list[ReceivedAlert]:
    """One record per alert in the notification. Pure."""
    return [
        ReceivedAlert(
            received_at=received_at,
            status=alert.status,
            alertname=alert.labels.get("alertname"),
            center_id=alert.labels.get("center_id"),
            severity=alert.labels.get("severity"),
            annotations=alert.annotations,
            fingerprint=alert.fingerprint,
            labels=alert.labels,
            starts_at=alert.starts_at,
            ends_at=alert.ends_at,
            receiver=payload.receiver,
        )
        for alert in payload.alerts
    ]


# --- the journal file -------------------------------------------------------------------------


class AlertJournal:
    """Appends one JSON line per received alert and remembers the latest ones."""

    def __init__(self, log_file: Path, history_size: int) -> None:
        self.log_file = log_file
        self.history: deque[ReceivedAlert] = deque(maxlen=history_size)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)

    def append(self, alerts: list[ReceivedAlert]) -> None:
        lines = "".join(alert.model_dump_json() + "\n" for alert in alerts)
        with self.log_file.open("a", encoding="utf-8") as journal:
            journal.write(lines)
        self.history.extend(alerts)
        for alert in alerts:
            logger.info("alert %s", alert.model_dump_json())


def read_journal(log_file: Path) -> list[ReceivedAlert]:
    """The records in a receiver log file (tests, ``dost-feedback`` status output)."""
    if not log_file.exists():
        return []
    return [
        ReceivedAlert.model_validate(json.loads(line))
        for line in log_file.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


# --- the app --------------------------------------------------------------------------------


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
            "dost_oncall_deliveries_undelivered",
            "On-call deliveries not (yet) sent: pending (retrying) or failed after the last attempt.",
            labels=["state"],
        )
        counts = self.outbox.counts()
        for state in ("pending", "failed"):
            family.add_metric([state], counts[state])
        yield family


def create_app(settings: Settings | None = None, oncall_config: OncallConfig | None = None) -> FastAPI:
    """The receiver app. Raises ``OncallConfigError`` for a bad on-call config."""
    settings = settings or get_settings()
    config = oncall_config or load_app_oncall_config(settings)
    journal = AlertJournal(settings.receiver_log_file, settings.receiver_history_size)
    outbox = Outbox(settings.oncall_db_path)
    registry = CollectorRegistry()
    notifications_total = Counter(
        "dost_oncall_notifications",
        "Alerts received from Alertmanager, one per alert in a notification.",
        ["status", "severity"],
        registry=registry,
    )
    deliveries_total = Counter(
        "dost_oncall_deliveries",
        "On-call delivery attempts by outcome: sent, retried (will try again) or failed (gave up).",
        ["channel", "severity", "result"],
        registry=registry,
    )
    registry.register(_UndeliveredCollector(outbox))
    senders = ChannelSenders(settings)
    dispatcher = Dispatcher(
        outbox, senders, RetryPolicy.from_settings(settings), deliveries_total, settings.oncall_send_timeout_seconds
    )

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

    @app.post("/alertmanager", responses={503: {"description": "Not stored; Alertmanager should retry"}})
    async def alertmanager_webhook(payload: WebhookPayload, request: Request) -> Response:
        raw = (await request.body()).decode("utf-8")
        severity, region = notification_route(payload)
        channel_names = route_channels(config, severity, region)
        channels = [
            NewChannel(name, config.channels[name].type, config.channels[name].model_dump()) for name in channel_names
        ]
        try:
            notification_id = outbox.persist(
                received_at=time.time(),
                receiver=payload.receiver,
                status=payload.status,
                severity=severity or NO_SEVERITY,
                region=region,
                summary=sms_text(payload),
                payload=raw,
                channels=channels,
            )
        except sqlite3.Error:
            logger.exception("could not store a notification from %s; answering 503 so Alertmanager retries",
                             payload.receiver)
            return JSONResponse({"detail": "notification not stored; retry"}, status_code=503)
        alerts = received_alerts(payload, datetime.now(timezone.utc))
        journal.append(alerts)
        for alert in alerts:
            notifications_total.labels(status=alert.status, severity=alert.severity or NO_SEVERITY).inc()
        dispatcher.wake()
        return JSONResponse({"received": len(alerts), "notification_id": notification_id,
                             "channels": channel_names})

    @app.get("/alerts")
    async def list_alerts() -> list[ReceivedAlert]:
        return list(journal.history)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app

