"""The on-call receiver as an ASGI app (FastAPI TestClient, no network)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dost_feedback.settings import Settings
from monitoring.receiver import ReceivedAlert, create_app, read_journal

pytestmark = pytest.mark.timeout(30)


def webhook_payload(status: str = "firing", **labels: str) -> dict:
    """A notification as Alertmanager 0.25 sends it (webhook version 4)."""
    alert_labels = {
        "alertname": "CenterSatisfactionBelowTarget",
        "center_id": "baku-2",
        "severity": "page",
        "window": "24h",
        **labels,
    }
    return {
        "receiver": "oncall",
        "status": status,
        "alerts": [
            {
                "status": status,
                "labels": alert_labels,
                "annotations": {"summary": "DOST center baku-2 is below its satisfaction target", "count": "400"},
                "startsAt": "2026-11-22T10:00:00.000Z",
                "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-22T11:00:00.000Z",
                "generatorURL": "http://prometheus:9090/graph?g0.expr=...",
                "fingerprint": "a1b2c3d4e5f60718",
            }
        ],
        "groupLabels": {"alertname": "CenterSatisfactionBelowTarget", "center_id": "baku-2"},
        "commonLabels": alert_labels,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "version": "4",
        "groupKey": '{}:{alertname="CenterSatisfactionBelowTarget", center_id="baku-2"}',
        "truncatedAlerts": 0,
    }


class RecordingForwarder:
    def __init__(self) -> None:
        self.forwarded: list[ReceivedAlert] = []

    def forward(self, alert: ReceivedAlert) -> None:
        self.forwarded.append(alert)


class BrokenForwarder:
    def forward(self, alert: ReceivedAlert) -> None:
        raise ConnectionError("SMS gateway unreachable")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(state_dir=tmp_path)


def test_firing_alert_is_journaled_listed_and_counted(settings: Settings, caplog: pytest.LogCaptureFixture):
    client = TestClient(create_app(settings))
    with caplog.at_level(logging.INFO, logger="dost.oncall"):
        response = client.post("/alertmanager", json=webhook_payload())
    assert response.status_code == 200, response.text
    assert response.json() == {"received": 1}

    line = json.loads(settings.receiver_log_file.read_text().splitlines()[0])
    assert {k: line[k] for k in ("status", "alertname", "center_id", "severity", "fingerprint")} == {
        "status": "firing",
        "alertname": "CenterSatisfactionBelowTarget",
        "center_id": "baku-2",
        "severity": "page",
        "fingerprint": "a1b2c3d4e5f60718",
    }
    assert line["annotations"]["count"] == "400"
    assert line["received_at"]
    assert any("baku-2" in record.getMessage() for record in caplog.records)

    listed = client.get("/alerts").json()
    assert [(a["status"], a["center_id"]) for a in listed] == [("firing", "baku-2")]

    metrics = client.get("/metrics").text
    assert 'dost_oncall_notifications_total{severity="page",status="firing"} 1.0' in metrics


def test_resolved_alert_is_journaled_after_the_firing_one(settings: Settings):
    client = TestClient(create_app(settings))
    client.post("/alertmanager", json=webhook_payload("firing"))
    client.post("/alertmanager", json=webhook_payload("resolved"))
    assert [a.status for a in read_journal(settings.receiver_log_file)] == ["firing", "resolved"]
    assert 'dost_oncall_notifications_total{severity="page",status="resolved"} 1.0' in client.get("/metrics").text


def test_journal_appends_across_restarts(settings: Settings):
    TestClient(create_app(settings)).post("/alertmanager", json=webhook_payload())
    TestClient(create_app(settings)).post("/alertmanager", json=webhook_payload(center_id="baku-3"))
    assert [a.center_id for a in read_journal(settings.receiver_log_file)] == ["baku-2", "baku-3"]


def test_every_alert_reaches_the_forwarder(settings: Settings):
    forwarder = RecordingForwarder()
    client = TestClient(create_app(settings, forwarder=forwarder))
    payload = webhook_payload()
    payload["alerts"].append({**payload["alerts"][0], "labels": {"alertname": "DostWorkerDown"}, "fingerprint": "ff"})
    assert client.post("/alertmanager", json=payload).json() == {"received": 2}
    assert [(a.alertname, a.severity) for a in forwarder.forwarded] == [
        ("CenterSatisfactionBelowTarget", "page"),
        ("DostWorkerDown", None),
    ]
    assert 'dost_oncall_notifications_total{severity="none",status="firing"} 1.0' in client.get("/metrics").text


def test_a_failing_forwarder_does_not_lose_the_alert(settings: Settings):
    client = TestClient(create_app(settings, forwarder=BrokenForwarder()))
    assert client.post("/alertmanager", json=webhook_payload()).status_code == 200
    assert len(read_journal(settings.receiver_log_file)) == 1


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda p: p.pop("alerts"), id="no alerts"),
        pytest.param(lambda p: p.update(alerts=[]), id="empty alerts"),
        pytest.param(lambda p: p.update(status="exploded"), id="bad status"),
        pytest.param(lambda p: p["alerts"][0].pop("fingerprint"), id="alert without fingerprint"),
        pytest.param(lambda p: p["alerts"][0].update(labels=["not", "a", "map"]), id="labels not a map"),
        pytest.param(lambda p: p["alerts"][0].update(startsAt="yesterday"), id="bad timestamp"),
    ],
)
def test_bad_payload_is_rejected_with_422_and_not_journaled(settings: Settings, mutate):
    client = TestClient(create_app(settings))
    payload = webhook_payload()
    mutate(payload)
    response = client.post("/alertmanager", json=payload)
    assert response.status_code == 422, response.text
    assert read_journal(settings.receiver_log_file) == []
    assert client.get("/alerts").json() == []


def test_non_json_body_is_422(settings: Settings):
    response = TestClient(create_app(settings)).post(
        "/alertmanager", content=b"not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def test_healthz(settings: Settings):
    assert TestClient(create_app(settings)).get("/healthz").json() == {"status": "ok"}
