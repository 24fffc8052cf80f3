"""The on-call receiver as an ASGI app (FastAPI TestClient) on its real outbox, and AlertIntake."""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import SQLAlchemyError

from dost_contract.settings import PROJECT_ROOT, Settings
from monitoring.oncall.config import OncallConfigError
from monitoring.oncall.journal import AlertJournal, read_journal
from monitoring.oncall.outbox import Outbox
from monitoring.oncall.payload import WebhookPayload
from monitoring.oncall.receiver import (
    UNAUTHORIZED_DETAIL,
    AlertIntake,
    ReceiverMetrics,
    create_app,
    load_app_oncall_config,
)
from tests.conftest import metric_value, wait_for
from tests.monitoring.oncall.helpers import FlakyWebhookServer, webhook_payload

pytestmark = pytest.mark.timeout(60)


def wait_until(predicate: Callable[[], object], timeout: float = 15.0, what: str = "condition"):
    return wait_for(predicate, timeout, what, interval=0.05)


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def oncall_settings(tmp_path: Path, config_text: str | None = None, **overrides) -> Settings:
    config_file = PROJECT_ROOT / "config" / "oncall.yaml"
    if config_text is not None:
        config_file = tmp_path / "oncall.yaml"
        config_file.write_text(config_text)
    fast_retries = dict(
        oncall_max_attempts=3, oncall_retry_base_seconds=0.2, oncall_retry_max_seconds=1.0,
        oncall_send_timeout_seconds=5.0,
    )
    return Settings(state_dir=tmp_path, oncall_config_file=config_file, **{**fast_retries, **overrides})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return oncall_settings(tmp_path)


def authorized(app) -> TestClient:
    """A client that sends the receiver's bearer token, as Alertmanager does."""
    token = app.state.webhook_token
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def metrics(client: TestClient) -> str:
    return client.get("/metrics").text


# --- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer wrong-token", "Basic dXNlcjpwYXNz",
                                           "bearer dev-only-oncall-webhook-token"])
def test_a_post_without_the_token_is_401_and_not_stored(tmp_path: Path, authorization: str | None):
    settings = oncall_settings(tmp_path, oncall_webhook_token="the-real-token")
    client = TestClient(create_app(settings))
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.post("/alertmanager", json=webhook_payload(), headers=headers)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert read_journal(settings.receiver_log_file) == []
    assert client.app.state.outbox.counts() == {"pending": 0, "sent": 0, "failed": 0}
    ok = client.post("/alertmanager", json=webhook_payload(), headers={"Authorization": "Bearer the-real-token"})
    assert ok.status_code == 200, ok.text
    assert client.app.state.outbox.counts()["pending"] + client.app.state.outbox.counts()["sent"] >= 1


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "the-real-token"])
def test_listing_alerts_needs_the_token_too(tmp_path: Path, authorization: str | None):
    """GET /alerts shows every page's text: 401 without the token, the list with it."""
    settings = oncall_settings(tmp_path, oncall_webhook_token="the-real-token")
    client = TestClient(create_app(settings))
    token = {"Authorization": "Bearer the-real-token"}
    assert client.post("/alertmanager", json=webhook_payload(), headers=token).status_code == 200
    headers = {} if authorization is None else {"Authorization": authorization}
    refused = client.get("/alerts", headers=headers)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert refused.json() == {"detail": UNAUTHORIZED_DETAIL}
    assert "Bearer <DOST_ONCALL_WEBHOOK_TOKEN>" in UNAUTHORIZED_DETAIL  # says what to send
    assert "baku-2" not in refused.text
    listed = client.get("/alerts", headers=token)
    assert listed.status_code == 200
    assert [(a["status"], a["center_id"]) for a in listed.json()] == [("firing", "baku-2")]
    assert client.get("/healthz").status_code == 200 and client.get("/metrics").status_code == 200  # stay open


def test_an_empty_token_is_refused_at_start(tmp_path: Path):
    with pytest.raises(ValueError, match="DOST_ONCALL_WEBHOOK_TOKEN"):
        create_app(oncall_settings(tmp_path, oncall_webhook_token=""))


# --- receiving --------------------------------------------------------------------------------


def test_firing_alert_is_journaled_listed_and_counted(settings: Settings, caplog: pytest.LogCaptureFixture):
    client = authorized(create_app(settings))
    with caplog.at_level(logging.INFO, logger="dost.oncall"):
        response = client.post("/alertmanager", json=webhook_payload())
    assert response.status_code == 200, response.text
    assert response.json()["received"] == 1
    assert response.json()["channels"] == ["duty-sms", "dev-file"]  # config/oncall.yaml: pages

    line = json.loads(settings.receiver_log_file.read_text().splitlines()[0])
    assert [line[k] for k in ("status", "alertname", "center_id", "severity", "fingerprint")] == [
        "firing", "CenterSatisfactionBelowTarget", "baku-2", "page", "a1b2c3d4e5f60718"]
    assert any("baku-2" in record.getMessage() for record in caplog.records)
    assert [(a["status"], a["center_id"]) for a in client.get("/alerts").json()] == [("firing", "baku-2")]
    assert 'dost_oncall_notifications_total{severity="page",status="firing"} 1.0' in metrics(client)


def test_resolved_alert_is_journaled_after_the_firing_one(settings: Settings):
    client = authorized(create_app(settings))
    client.post("/alertmanager", json=webhook_payload("firing"))
    client.post("/alertmanager", json=webhook_payload("resolved"))
    assert [a.status for a in read_journal(settings.receiver_log_file)] == ["firing", "resolved"]
    assert 'dost_oncall_notifications_total{severity="page",status="resolved"} 1.0' in metrics(client)


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
def test_bad_payload_is_rejected_with_422_and_not_stored(settings: Settings, mutate):
    client = authorized(create_app(settings))
    payload = webhook_payload()
    mutate(payload)
    response = client.post("/alertmanager", json=payload)
    assert response.status_code == 422, response.text
    assert read_journal(settings.receiver_log_file) == []
    assert client.get("/alerts").json() == []
    assert client.app.state.outbox.counts() == {"pending": 0, "sent": 0, "failed": 0}


def test_non_json_body_is_422(settings: Settings):
    response = authorized(create_app(settings)).post(
        "/alertmanager", content=b"not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def test_an_outbox_that_cannot_store_answers_503_so_alertmanager_retries(settings: Settings):
    client = authorized(create_app(settings))
    # Break the real database underneath the receiver.
    sqlite3.connect(settings.oncall_db_path).execute("DROP TABLE deliveries")
    response = client.post("/alertmanager", json=webhook_payload())
    assert response.status_code == 503
    assert read_journal(settings.receiver_log_file) == []  # nothing claimed as received


def test_a_bad_oncall_config_stops_the_receiver_with_a_clear_error(tmp_path: Path):
    with pytest.raises(OncallConfigError, match="unknown channel"):
        create_app(oncall_settings(tmp_path, "channels: {d: {type: dev}}\ndefault_channels: [nope]"))


def test_healthz(settings: Settings):
    assert authorized(create_app(settings)).get("/healthz").json() == {"status": "ok"}


# --- delivering ---------------------------------------------------------------------------------


def test_page_goes_to_sms_and_dev_file_warning_to_dev_file_only(settings: Settings):
    with authorized(create_app(settings)) as client:
        client.post("/alertmanager", json=webhook_payload(receiver="page@baku"))
        client.post("/alertmanager", json=webhook_payload(receiver="warning@baku", severity="warning",
                                                          center_id="baku-4"))
        wait_until(lambda: client.app.state.outbox.counts()["sent"] == 3, what="three deliveries")
        assert 'dost_oncall_deliveries_total{channel="duty-sms",result="sent",severity="page"} 1.0' in metrics(client)
    dev = read_lines(settings.oncall_dev_outbox_path)
    assert sorted((r["severity"], r["alerts"][0]["labels"]["center_id"]) for r in dev) == [
        ("page", "baku-2"), ("warning", "baku-4")
    ]
    [sms] = read_lines(settings.sms_outbox_path)  # the SMS channel itself: test_channels.py
    assert sms["text"].startswith("PAGE CenterSatisfactionBelowTarget baku-2 (baku) 24h: ratio 0.9000 n=400")


def webhook_config(url: str) -> str:
    return f"channels: {{chat: {{type: webhook, url: '{url}'}}}}\ndefault_channels: [chat]\n"


def test_webhook_that_fails_twice_is_retried_until_delivered(tmp_path: Path):
    server = FlakyWebhookServer(failures=2).start()
    try:
        settings = oncall_settings(tmp_path, webhook_config(server.url))
        with authorized(create_app(settings)) as client:
            client.post("/alertmanager", json=webhook_payload())
            wait_until(lambda: client.app.state.outbox.counts()["sent"] == 1, what="delivery after retries")
            text = metrics(client)
    finally:
        server.stop()
    assert server.attempts == 3
    [body] = server.bodies
    assert body["receiver"] == "page@baku" and body["alerts"][0]["labels"]["center_id"] == "baku-2"  # the JSON as is
    assert metric_value(text, "dost_oncall_deliveries_total", channel="chat", result="retried") == 2
    assert metric_value(text, "dost_oncall_deliveries_total", channel="chat", result="sent") == 1
    assert metric_value(text, "dost_oncall_deliveries_undelivered", state="pending") == 0


def test_oncall_retry_sends_a_failed_delivery_again_once_the_channel_is_fixed(tmp_path: Path):
    import os
    import subprocess
    import sys

    server = FlakyWebhookServer(failures=3).start()  # down for all 3 attempts, then fixed
    env = {**os.environ, "DOST_ONCALL_DB_FILE": str(tmp_path / "oncall.sqlite3")}

    def oncall_cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "dost_feedback", "oncall", *args], env=env,
                              capture_output=True, text=True, timeout=30)

    try:
        settings = oncall_settings(tmp_path, webhook_config(server.url))
        with authorized(create_app(settings)) as client:
            client.post("/alertmanager", json=webhook_payload())
            wait_until(lambda: client.app.state.outbox.counts()["failed"] == 1, what="the delivery failed")
            [failed] = client.app.state.outbox.log(state="failed")

            nothing = oncall_cli("retry")
            assert nothing.returncode != 0 and "--all-failed" in nothing.stderr
            retried = oncall_cli("retry", str(failed.delivery_id), "4242")
            assert retried.returncode == 0, retried.stderr
            assert f"requeued 1 deliveries: {failed.delivery_id}" in retried.stdout
            assert "left alone: 4242" in retried.stderr
            # The running receiver picks the requeued delivery up by itself.
            wait_until(lambda: server.bodies, timeout=20, what="the retried delivery")
            wait_until(lambda: client.app.state.outbox.counts() == {"pending": 0, "sent": 1, "failed": 0},
                       what="the delivery marked sent")
            assert metric_value(metrics(client), "dost_oncall_deliveries_undelivered", state="failed") == 0
            again = oncall_cli("retry", "--all-failed")
            assert again.returncode != 0 and "no failed delivery" in again.stderr
    finally:
        server.stop()
    assert server.attempts == 4 and len(server.bodies) == 1  # sent once, never twice


# --- AlertIntake: what one notification becomes -------------------------------------------------

INTAKE_AT = 1_795_000_000.0


class IntakeParts:
    def __init__(self, tmp_path: Path) -> None:
        self.outbox = Outbox(tmp_path / "oncall.sqlite3")
        self.journal = AlertJournal(tmp_path / "alerts.jsonl", history_size=10)
        self.metrics = ReceiverMetrics(self.outbox)
        self.wakes = 0
        self.intake = AlertIntake(load_app_oncall_config(Settings()), self.outbox, self.journal,
                                  self.metrics.notifications_total, self.wake, clock=lambda: INTAKE_AT)

    def wake(self) -> None:
        self.wakes += 1

    def take(self, payload: dict):
        raw = json.dumps(payload)
        return self.intake.take(WebhookPayload.model_validate_json(raw), raw), raw

    def sample(self, name: str, **labels: str) -> float | None:
        return self.metrics.registry.get_sample_value(name, labels)

    def notifications(self) -> dict[tuple[str, str], float]:
        """(status, severity) -> count, read from the counter itself (the outbox may be broken)."""
        [family] = self.metrics.notifications_total.collect()
        return {(s.labels["status"], s.labels["severity"]): s.value
                for s in family.samples if s.name.endswith("_total")}


def test_intake_stores_one_delivery_per_routed_channel_journals_counts_and_wakes(tmp_path: Path):
    parts = IntakeParts(tmp_path)
    taken, raw = parts.take(webhook_payload(n_alerts=2))
    assert (taken.received, taken.notification_id, taken.channels) == (2, 1, ["duty-sms", "dev-file"])
    due = parts.outbox.due(INTAKE_AT)
    assert [(d.notification_id, d.channel, d.channel_type, d.attempts, d.severity) for d in due] == [
        (1, "duty-sms", "sms", 0, "page"), (1, "dev-file", "dev", 0, "page")]
    assert due[0].channel_config == {"type": "sms", "to": ["+994500000001"]}
    assert due[0].payload == raw  # stored as received
    [entry, _] = parts.outbox.log()
    assert (entry.received_at, entry.region, entry.status) == (INTAKE_AT, "baku", "firing")
    assert entry.summary == ("PAGE CenterSatisfactionBelowTarget baku-2 (baku) 24h: ratio 0.9000 n=400 upper 0.9312"
                             " < target 0.985 (+1 more) http://grafana.example/d/dost-center?var-center_id=baku-2")
    assert [a.fingerprint for a in read_journal(parts.journal.log_file)] == ["a1b2c3d4e5f60718", "ff01"]
    assert [a.received_at for a in parts.journal.history] == [datetime.fromtimestamp(INTAKE_AT, timezone.utc)] * 2
    assert parts.notifications() == {("firing", "page"): 2}
    assert parts.sample("dost_oncall_notifications_total", status="firing", severity="page") == 2  # as scraped
    assert parts.wakes == 1
    assert parts.sample("dost_oncall_deliveries_undelivered", state="pending") == 2  # read at scrape time
    parts.outbox.mark_failed(due[0].id, 8, "gateway down", INTAKE_AT)
    assert parts.sample("dost_oncall_deliveries_undelivered", state="pending") == 1
    assert parts.sample("dost_oncall_deliveries_undelivered", state="failed") == 1


def test_intake_of_an_unrouted_notification_uses_the_default_channels(tmp_path: Path):
    parts = IntakeParts(tmp_path)
    payload = webhook_payload("resolved", receiver="default")
    for labels in [payload["commonLabels"], *(a["labels"] for a in payload["alerts"])]:
        labels.pop("severity", None)
    taken, _ = parts.take(payload)
    assert taken.channels == ["dev-file"]
    assert [(d.channel, d.severity) for d in parts.outbox.due(INTAKE_AT)] == [("dev-file", "none")]
    assert parts.notifications() == {("resolved", "none"): 1}


def test_intake_on_a_broken_outbox_raises_and_journals_nothing(tmp_path: Path):
    parts = IntakeParts(tmp_path)
    with parts.outbox.engine.begin() as db:
        db.exec_driver_sql("DROP TABLE deliveries")
    with pytest.raises(SQLAlchemyError, match="deliveries"):
        parts.take(webhook_payload())
    with parts.outbox.engine.connect() as db:
        assert db.exec_driver_sql("SELECT COUNT(*) FROM notifications").scalar() == 0  # rolled back whole
    assert read_journal(parts.journal.log_file) == [] and list(parts.journal.history) == []
    assert parts.notifications() == {}
    assert parts.wakes == 0



def test_heartbeat_needs_the_token_and_is_counted(settings: Settings):
    client = authorized(create_app(settings))
    assert TestClient(client.app).post("/heartbeat").status_code == 401
    assert client.post("/heartbeat").json() == {"result": "not_configured"}
    assert 'dost_oncall_heartbeats_total{result="not_configured"} 1.0' in metrics(client)
    assert read_journal(settings.receiver_log_file) == []  # a heartbeat is not an alert


def test_overdue_case_tickets_reach_the_regions_managers_not_the_oncall_sms(tmp_path: Path):
    config = (
        "channels:\n  dev-file: {type: dev}\n  managers-file: {type: dev}\n  baku-managers: {type: dev}\n"
        "  duty-sms: {type: sms, to: ['+994500000001']}\n"
        "default_channels: [duty-sms, dev-file]\n"
        "routes: [{severity: ticket, channels: [duty-sms]}]\n"
        "managers: {channels: [managers-file], regions: {baku: [baku-managers]}}\n"
    )
    client = authorized(create_app(oncall_settings(tmp_path, config)))
    labels = {"alertname": "FollowupCasesOverdue", "severity": "ticket", "center_id": "baku-2", "region": "baku"}
    baku = client.post("/alertmanager", json=webhook_payload(receiver="managers@baku", **labels))
    assert baku.status_code == 200 and baku.json()["channels"] == ["baku-managers"]
    other = client.post("/alertmanager", json=webhook_payload(receiver="managers", **{**labels, "region": "x"}))
    assert other.json()["channels"] == ["managers-file"]
    ticket = client.post("/alertmanager", json=webhook_payload(receiver="ticket@baku", **labels))
    assert ticket.json()["channels"] == ["duty-sms"]  # what the managers route keeps these tickets away from
