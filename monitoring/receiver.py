"""The on-call receiver: Alertmanager's webhook target.

    POST /alertmanager   an Alertmanager webhook payload (version 4); 422 if malformed
    GET  /alerts         what was received, oldest first (for humans and tests)
    GET  /healthz        liveness
    GET  /metrics        dost_oncall_notifications_total{status,severity}

Every alert in a notification, firing or resolved, becomes one JSON line in
``settings.receiver_log_file`` (appended) and one JSON record on the ``dost.oncall``
logger, then goes to the ``Forwarder``. The default forwarder only writes a one-line
human summary to ``dost.oncall.forward``; SMS and e-mail forwarders plug in later
through the same protocol (``create_app(settings, forwarder=...)``).

Run it with ``python -m monitoring.receiver`` (binds ``DOST_RECEIVER_HOST:DOST_RECEIVER_PORT``)
or mount ``create_app(settings)`` in any ASGI server.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Protocol

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from pydantic import BaseModel, ConfigDict, Field

from dost_feedback.settings import Settings, get_settings

logger = logging.getLogger("dost.oncall")  # one JSON record per received alert
forward_logger = logging.getLogger("dost.oncall.forward")  # the default "channel"

AlertStatus = Literal["firing", "resolved"]
NO_SEVERITY = "none"


# --- the webhook payload (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config)


class WebhookAlert(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    status: AlertStatus
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime = Field(alias="startsAt")
    ends_at: datetime | None = Field(None, alias="endsAt")
    generator_url: str = Field("", alias="generatorURL")
    fingerprint: str


class WebhookPayload(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    version: str
    group_key: str = Field(alias="groupKey")
    truncated_alerts: int = Field(0, alias="truncatedAlerts")
    status: AlertStatus
    receiver: str
    group_labels: dict[str, str] = Field(default_factory=dict, alias="groupLabels")
    common_labels: dict[str, str] = Field(default_factory=dict, alias="commonLabels")
    common_annotations: dict[str, str] = Field(default_factory=dict, alias="commonAnnotations")
    external_url: str = Field("", alias="externalURL")
    alerts: list[WebhookAlert] = Field(min_length=1)


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


# --- forwarding (SMS, e-mail later) ---------------------------------------------------------


class Forwarder(Protocol):
    """Sends one received alert on to people. Must not raise for delivery failures it can
    retry itself; an exception is logged and does not fail the webhook."""

    def forward(self, alert: ReceivedAlert) -> None: ...


class LoggingForwarder:
    """The default: no channel yet, the log line is the notification."""

    def forward(self, alert: ReceivedAlert) -> None:
        level = logging.WARNING if alert.status == "firing" else logging.INFO
        forward_logger.log(
            level,
            "%s %s center=%s severity=%s: %s",
            alert.status.upper(),
            alert.alertname,
            alert.center_id,
            alert.severity,
            alert.annotations.get("summary", ""),
        )


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


def create_app(settings: Settings | None = None, forwarder: Forwarder | None = None) -> FastAPI:
    settings = settings or get_settings()
    forwarder = forwarder or LoggingForwarder()
    journal = AlertJournal(settings.receiver_log_file, settings.receiver_history_size)
    registry = CollectorRegistry()
    notifications_total = Counter(
        "dost_oncall_notifications",
        "Alerts received from Alertmanager, one per alert in a notification.",
        ["status", "severity"],
        registry=registry,
    )

    app = FastAPI(title="DOST on-call receiver", version="1")
    app.state.journal = journal
    app.state.forwarder = forwarder

    @app.post("/alertmanager")
    async def alertmanager_webhook(payload: WebhookPayload) -> dict[str, int]:
        alerts = received_alerts(payload, datetime.now(timezone.utc))
        journal.append(alerts)
        for alert in alerts:
            notifications_total.labels(status=alert.status, severity=alert.severity or NO_SEVERITY).inc()
            try:
                forwarder.forward(alert)
            except Exception:  # a broken channel must not make Alertmanager retry the journal
                logger.exception("forwarding %s for %s failed", alert.alertname, alert.center_id)
        return {"received": len(alerts)}

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


def main() -> None:
    """Serve the receiver on ``settings.receiver_host:receiver_port``."""
    import uvicorn

    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(create_app(settings), host=settings.receiver_host, port=settings.receiver_port, log_level="info")


if __name__ == "__main__":
    main()
