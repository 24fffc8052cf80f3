"""The on-call receiver as an ASGI app (FastAPI TestClient) with its real outbox and
channels: the dev file, the SMS gateway's outbox, a real SMTP server (aiosmtpd) and real
local HTTP servers for the webhook channel."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import sqlite3
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from dost_feedback.procs import free_port
from dost_feedback.settings import Settings
from monitoring.oncall_config import OncallConfigError
from monitoring.receiver import create_app, read_journal
from tests.conftest import metric_value
from tests.monitoring.oncall_helpers import FlakyWebhookServer, webhook_payload

pytestmark = pytest.mark.timeout(60)


def wait_until(predicate: Callable[[], object], timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def oncall_settings(tmp_path: Path, config_text: str | None = None, **overrides) -> Settings:
    config_file = Path(__file__).resolve().parents[2] / "config" / "oncall.yaml"
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


def metrics(client: TestClient) -> str:
    return client.get("/metrics").text


# --- receiving --------------------------------------------------------------------------------


def test_firing_alert_is_journaled_listed_and_counted(settings: Settings, caplog: pytest.LogCaptureFixture):
    client = TestClient(create_app(settings))
    with caplog.at_level(logging.INFO, logger="dost.oncall"):
        response = client.post("/alertmanager", json=webhook_payload())
    assert response.status_code == 200, response.text
    assert response.json()["received"] == 1
    assert response.json()["channels"] == ["duty-sms", "dev-file"]  # config/oncall.yaml: pages

    line = json.loads(settings.receiver_log_file.read_text().splitlines()[0])
    assert {k: line[k] for k in ("status", "alertname", "center_id", "severity", "fingerprint")} == {
        "status": "firing",
        "alertname": "CenterSatisfactionBelowTarget",
        "center_id": "baku-2",
        "severity": "page",
        "fingerprint": "a1b2c3d4e5f60718",
    }
    assert any("baku-2" in record.getMessage() for record in caplog.records)
    assert [(a["status"], a["center_id"]) for a in client.get("/alerts").json()] == [("firing", "baku-2")]
    assert 'dost_oncall_notifications_total{severity="page",status="firing"} 1.0' in metrics(client)


def test_resolved_alert_is_journaled_after_the_firing_one(settings: Settings):
    client = TestClient(create_app(settings))
    client.post("/alertmanager", json=webhook_payload("firing"))
    client.post("/alertmanager", json=webhook_payload("resolved"))
    assert [a.status for a in read_journal(settings.receiver_log_file)] == ["firing", "resolved"]
    assert 'dost_oncall_notifications_total{severity="page",status="resolved"} 1.0' in metrics(client)


def test_journal_appends_across_restarts(settings: Settings):
    TestClient(create_app(settings)).post("/alertmanager", json=webhook_payload())
    TestClient(create_app(settings)).post("/alertmanager", json=webhook_payload(center_id="baku-3"))
    assert [a.center_id for a in read_journal(settings.receiver_log_file)] == ["baku-2", "baku-3"]


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
    client = TestClient(create_app(settings))
    payload = webhook_payload()
    mutate(payload)
    response = client.post("/alertmanager", json=payload)
    assert response.status_code == 422, response.text
    assert read_journal(settings.receiver_log_file) == []
    assert client.get("/alerts").json() == []
    assert client.app.state.outbox.counts() == {"pending": 0, "sent": 0, "failed": 0}


def test_non_json_body_is_422(settings: Settings):
    response = TestClient(create_app(settings)).post(
        "/alertmanager", content=b"not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def test_an_outbox_that_cannot_store_answers_503_so_alertmanager_retries(settings: Settings):
    client = TestClient(create_app(settings))
    # Break the real database underneath the receiver.
    sqlite3.connect(settings.oncall_db_path).execute("DROP TABLE deliveries")
    response = client.post("/alertmanager", json=webhook_payload())
    assert response.status_code == 503
    assert read_journal(settings.receiver_log_file) == []  # nothing claimed as received


def test_a_bad_oncall_config_stops_the_receiver_with_a_clear_error(tmp_path: Path):
    with pytest.raises(OncallConfigError, match="unknown channel"):
        create_app(oncall_settings(tmp_path, "channels: {d: {type: dev}}\ndefault_channels: [nope]"))


def test_healthz(settings: Settings):
    assert TestClient(create_app(settings)).get("/healthz").json() == {"status": "ok"}


# --- delivering ---------------------------------------------------------------------------------


def test_page_goes_to_sms_and_dev_file_warning_to_dev_file_only(settings: Settings):
    with TestClient(create_app(settings)) as client:
        client.post("/alertmanager", json=webhook_payload(receiver="page@baku"))
        client.post("/alertmanager", json=webhook_payload(receiver="warning@baku", severity="warning",
                                                          center_id="baku-4"))
        wait_until(lambda: client.app.state.outbox.counts()["sent"] == 3, what="three deliveries")
        assert 'dost_oncall_deliveries_total{channel="duty-sms",result="sent",severity="page"} 1.0' in metrics(client)
    dev = read_lines(settings.oncall_dev_outbox_path)
    assert sorted((r["severity"], r["alerts"][0]["labels"]["center_id"]) for r in dev) == [
        ("page", "baku-2"), ("warning", "baku-4")
    ]
    [sms] = read_lines(settings.sms_outbox_path)
    assert sms["purpose"] == "oncall" and sms["to_masked"].endswith("01")
    assert sms["text"].startswith("PAGE CenterSatisfactionBelowTarget baku-2 (baku) 24h: ratio 0.9000 n=400")
    assert "+994500000001" not in settings.sms_outbox_path.read_text()  # the phone only as hash and mask


class RecordingSmtpHandler:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, RecordingSmtpHandler]]:
    handler = RecordingSmtpHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_email_is_sent_through_a_real_smtp_server(tmp_path: Path, smtp_server):
    controller, handler = smtp_server
    settings = oncall_settings(
        tmp_path,
        "channels: {ops-mail: {type: email, to: [oncall@example.az, boss@example.az]}}\n"
        "default_channels: [ops-mail]\n",
        smtp_host="127.0.0.1", smtp_port=controller.port, smtp_from="dost-oncall@example.az",
    )
    with TestClient(create_app(settings)) as client:
        client.post("/alertmanager", json=webhook_payload(receiver="page@baku"))
        wait_until(lambda: handler.envelopes, what="an e-mail at the SMTP server")
        wait_until(lambda: client.app.state.outbox.counts()["sent"] == 1, what="the delivery marked sent")
    [envelope] = handler.envelopes
    assert envelope.mail_from == "dost-oncall@example.az"
    assert envelope.rcpt_tos == ["oncall@example.az", "boss@example.az"]
    mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert mail["Subject"].strip() == "[DOST PAGE/baku] FIRING CenterSatisfactionBelowTarget baku-2 (baku) 24h"
    assert "Wilson upper 0.9312" in mail.get_content()


def test_an_unreachable_smtp_server_is_retried_then_failed(tmp_path: Path):
    settings = oncall_settings(
        tmp_path, "channels: {m: {type: email, to: [a@example.az]}}\ndefault_channels: [m]\n",
        smtp_port=free_port(),  # nothing listens there
    )
    with TestClient(create_app(settings)) as client:
        client.post("/alertmanager", json=webhook_payload())
        wait_until(lambda: client.app.state.outbox.counts()["failed"] == 1, what="the delivery failed")
        [entry] = client.app.state.outbox.log()
    assert entry.attempts == 3 and "SMTP 127.0.0.1" in entry.last_error


def webhook_config(url: str) -> str:
    return f"channels: {{chat: {{type: webhook, url: '{url}'}}}}\ndefault_channels: [chat]\n"


def test_webhook_that_fails_twice_is_retried_until_delivered(tmp_path: Path):
    server = FlakyWebhookServer(failures=2).start()
    try:
        settings = oncall_settings(tmp_path, webhook_config(server.url))
        with TestClient(create_app(settings)) as client:
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


def test_webhook_that_always_fails_is_marked_failed_logged_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    server = FlakyWebhookServer(failures=None).start()
    try:
        settings = oncall_settings(tmp_path, webhook_config(server.url))
        with caplog.at_level(logging.WARNING, logger="dost.oncall.delivery"):
            with TestClient(create_app(settings)) as client:
                client.post("/alertmanager", json=webhook_payload())
                wait_until(lambda: client.app.state.outbox.counts()["failed"] == 1, what="the delivery failed")
                text = metrics(client)
                [entry] = client.app.state.outbox.log(state="failed")
    finally:
        server.stop()
    assert server.attempts == 3  # oncall_max_attempts, then no more
    assert metric_value(text, "dost_oncall_deliveries_total", channel="chat", severity="page", result="failed") == 1
    assert metric_value(text, "dost_oncall_deliveries_undelivered", state="failed") == 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "FAILED for good" in errors[0].getMessage() and "answered 500" in errors[0].getMessage()
    assert entry.summary.startswith("PAGE CenterSatisfactionBelowTarget baku-2")  # kept: not lost silently


def test_pending_deliveries_are_sent_after_a_restart(tmp_path: Path):
    port = free_port()  # the webhook is down during the first run
    settings = oncall_settings(tmp_path, webhook_config(f"http://127.0.0.1:{port}/hook"), oncall_max_attempts=100,
                               oncall_retry_base_seconds=0.3, oncall_retry_max_seconds=0.3)
    with TestClient(create_app(settings)) as client:
        assert client.post("/alertmanager", json=webhook_payload()).status_code == 200
        wait_until(lambda: client.app.state.outbox.log()[0].attempts >= 1, what="a first failed attempt")
    # The receiver is gone; the delivery waits in the outbox.
    server = FlakyWebhookServer(failures=0).start(port)
    try:
        with TestClient(create_app(settings)) as client:
            wait_until(lambda: server.bodies, what="the pending delivery after the restart")
            wait_until(lambda: client.app.state.outbox.counts()["sent"] == 1, what="the delivery marked sent")
            [entry] = client.app.state.outbox.log()
    finally:
        server.stop()
    assert entry.attempts >= 2 and entry.state == "sent"
    assert server.bodies[0]["alerts"][0]["fingerprint"] == "a1b2c3d4e5f60718"


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
        with TestClient(create_app(settings)) as client:
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
