"""Each on-call channel on its own: the dev file, SMS, SMTP e-mail (real aiosmtpd) and a webhook."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
from pathlib import Path
from typing import Iterator

import pytest
from aiosmtpd.controller import Controller

from dost_contract.phones import phone_hash
from dost_contract.settings import Settings
from dost_feedback.stack.processes import free_port
from monitoring.oncall.channels import SMS_PURPOSE, ChannelError, ChannelSenders
from monitoring.oncall.payload import WebhookPayload
from tests.monitoring.oncall.helpers import FlakyWebhookServer, webhook_payload

pytestmark = pytest.mark.timeout(60)


def send(settings: Settings, channel: dict, name: str = "ch", delivery_id: int = 7, **payload_args) -> None:
    """One ``ChannelSenders.send`` of a webhook_payload, the senders closed afterwards."""
    raw = json.dumps(webhook_payload(**payload_args))

    async def go() -> None:
        senders = ChannelSenders(settings)
        try:
            await senders.send(name, channel, WebhookPayload.model_validate_json(raw), raw, delivery_id)
        finally:
            await senders.aclose()

    asyncio.run(go())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(state_dir=tmp_path, oncall_send_timeout_seconds=5.0, phone_hash_secret="channels-test")


def test_the_dev_channel_appends_one_json_line(settings: Settings):
    send(settings, {"type": "dev"}, name="dev-file", delivery_id=41)
    send(settings, {"type": "dev"}, name="dev-file", delivery_id=42, status="resolved")
    first, second = [json.loads(line) for line in settings.oncall_dev_outbox_path.read_text().splitlines()]
    assert first == {
        "delivery_id": 41, "channel": "dev-file", "receiver": "page@baku", "severity": "page", "region": "baku",
        "status": "firing",
        "text": "PAGE CenterSatisfactionBelowTarget baku-2 (baku) 24h: ratio 0.9000 n=400 upper 0.9312 < target "
                "0.985 http://grafana.example/d/dost-center?var-center_id=baku-2",
        "alerts": [{"status": "firing", "labels": webhook_payload()["alerts"][0]["labels"],
                    "fingerprint": "a1b2c3d4e5f60718"}],
    }
    assert (second["delivery_id"], second["status"], second["text"][:8]) == (42, "resolved", "RESOLVED")


def test_the_sms_channel_sends_to_every_number_through_the_gateway(settings: Settings):
    send(settings, {"type": "sms", "to": ["+994500000001", "+994500000002"]})
    records = [json.loads(line) for line in settings.sms_outbox_path.read_text().splitlines()]
    assert [r["to_hash"] for r in records] == [phone_hash("channels-test", "+994500000001"),
                                               phone_hash("channels-test", "+994500000002")]
    assert [r["to_masked"] for r in records] == ["+994*******01", "+994*******02"]
    assert {r["purpose"] for r in records} == {SMS_PURPOSE} == {"oncall"}
    assert records[0]["text"].startswith("PAGE CenterSatisfactionBelowTarget baku-2 (baku) 24h")


def test_an_unknown_channel_type_raises(settings: Settings):
    with pytest.raises(ChannelError, match=r"^unknown channel type 'pager'$"):
        send(settings, {"type": "pager"})


# --- e-mail through a real SMTP server ---------------------------------------------------------


class RecordingSmtpHandler:
    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.envelopes = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address in self.refuse:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, RecordingSmtpHandler]]:
    handler = RecordingSmtpHandler(refuse=frozenset({"nobody@example.az"}))
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def mail_settings(tmp_path: Path, port: int) -> Settings:
    return Settings(state_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_from="dost-oncall@example.az",
                    oncall_send_timeout_seconds=5.0)


def test_email_is_sent_through_a_real_smtp_server(tmp_path: Path, smtp_server):
    controller, handler = smtp_server
    send(mail_settings(tmp_path, controller.port), {"type": "email", "to": ["oncall@example.az", "boss@example.az"]})
    [envelope] = handler.envelopes
    assert envelope.mail_from == "dost-oncall@example.az"
    assert envelope.rcpt_tos == ["oncall@example.az", "boss@example.az"]
    mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert mail["Subject"].strip() == "[DOST PAGE/baku] FIRING CenterSatisfactionBelowTarget baku-2 (baku) 24h"
    assert mail["To"] == "oncall@example.az, boss@example.az"
    assert "Wilson upper 0.9312" in mail.get_content()


def test_a_refused_recipient_is_a_channel_error(tmp_path: Path, smtp_server):
    controller, handler = smtp_server
    with pytest.raises(ChannelError, match=r"refused recipients \['nobody@example.az'\]"):
        send(mail_settings(tmp_path, controller.port), {"type": "email", "to": ["oncall@example.az",
                                                                                "nobody@example.az"]})
    assert [e.rcpt_tos for e in handler.envelopes] == [["oncall@example.az"]]  # the others still got it


def test_an_unreachable_smtp_server_is_a_channel_error(tmp_path: Path):
    port = free_port()  # nothing listens there
    with pytest.raises(ChannelError, match=rf"^SMTP 127\.0\.0\.1:{port}: ConnectionRefusedError"):
        send(mail_settings(tmp_path, port), {"type": "email", "to": ["a@example.az"]})


# --- webhook through a real local HTTP server -------------------------------------------------


def test_the_webhook_gets_the_notification_json_as_received(settings: Settings):
    server = FlakyWebhookServer(failures=0).start()
    try:
        send(settings, {"type": "webhook", "url": server.url}, center_id="baku-7")
    finally:
        server.stop()
    assert server.bodies == [webhook_payload(center_id="baku-7")]


def test_a_webhook_answering_500_is_a_channel_error(settings: Settings):
    server = FlakyWebhookServer(failures=None).start()
    try:
        with pytest.raises(ChannelError, match=rf"^webhook {server.url} answered 500$"):
            send(settings, {"type": "webhook", "url": server.url})
    finally:
        server.stop()
    assert (server.attempts, server.bodies) == (1, [])  # one try: retrying is the dispatcher's job


def test_an_unreachable_webhook_is_a_channel_error(settings: Settings):
    url = f"http://127.0.0.1:{free_port()}/hook"
    with pytest.raises(ChannelError, match=rf"^webhook {url} unreachable: ConnectError"):
        send(settings, {"type": "webhook", "url": url})
