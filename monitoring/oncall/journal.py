"""The receiver's journal: one JSON line per received alert, and reading it back.

``read_journal`` and ``wait_for_received_alert`` are how people (``GET /alerts`` aside)
and end-to-end tests see what reached on-call.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel

from monitoring.oncall.payload import AlertStatus, WebhookPayload

logger = logging.getLogger("dost.oncall")  # one JSON record per received alert


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


def find_received_alert(log_file: Path, status: str | None = None, **labels: str) -> ReceivedAlert | None:
    """The first alert in the receiver's journal with this status and these labels."""
    for alert in read_journal(log_file):
        if status is not None and alert.status != status:
            continue
        if all(alert.labels.get(name) == value for name, value in labels.items()):
            return alert
    return None


def wait_for_received_alert(
    log_file: Path, timeout: float, status: str | None = None, poll_seconds: float = 0.25, **labels: str
) -> ReceivedAlert:
    """Poll the receiver's journal until a matching alert arrives; TimeoutError names what was seen."""
    deadline = time.monotonic() + timeout
    while True:
        alert = find_received_alert(log_file, status, **labels)
        if alert is not None:
            return alert
        if time.monotonic() > deadline:
            seen = [(a.status, a.labels) for a in read_journal(log_file)]
            raise TimeoutError(
                f"no {status or 'any-status'} alert with labels {labels} in {log_file} after {timeout:.0f}s; "
                f"received so far: {seen}"
            )
        time.sleep(poll_seconds)
