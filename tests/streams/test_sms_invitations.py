"""The SMS-invitation agent's handling of one visit, on a real channel store.

The end-to-end path (Kafka -> worker -> outbox -> signed reply) is in
tests/feedback_web/test_sms_inbound.py.
"""

from __future__ import annotations

import asyncio

import pytest

from dost_channels.sms_gateway import SmsSendError
from dost_channels.store import ChannelStore
from dost_contract.centers import load_registry
from dost_contract.settings import Settings
from dost_contract.visits import VisitCompleted
from streams.sms_invitations import invite


class RecordingGateway:
    def __init__(self, failures: int = 0) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.failures = failures

    async def send(self, to: str, text: str, purpose: str) -> None:
        if self.failures:
            self.failures -= 1
            raise SmsSendError("gateway said no")
        self.sent.append((to, text, purpose))


@pytest.fixture
def env(tmp_path):
    settings = Settings(state_dir=tmp_path)
    return settings, load_registry(settings), ChannelStore(settings.channels_db_path)


def run(raw: bytes, env, gateway) -> str:
    settings, registry, store = env
    return asyncio.run(invite(raw, settings=settings, registry=registry, store=store, gateway=gateway,
                              retry_delay=0.01))


def visit(settings, **overrides) -> VisitCompleted:
    values = {"center_id": "baku-2", "phone": "050 111 22 33", "language": "ru", "visit_id": "v-1"} | overrides
    return VisitCompleted.create(settings, **values)


def test_one_invitation_per_visit_in_the_citizens_language(env):
    settings, _, store = env
    gateway = RecordingGateway()
    raw = visit(settings).to_kafka()[1]
    assert b"1112233" not in raw  # the phone is never in the event in clear
    assert run(raw, env, gateway) == "sent"
    assert run(raw, env, gateway) == "duplicate"
    assert len(gateway.sent) == 1
    to, text, purpose = gateway.sent[0]
    assert (to, purpose) == ("+994501112233", "invitation")
    assert "оцените" in text and "Bakı 2 saylı DOST mərkəzi" in text
    invitation = store.invitation("v-1")
    assert invitation.language == "ru" and invitation.sent_at is not None
    assert invitation.expires_at - invitation.created_at == pytest.approx(settings.sms_invitation_valid_hours * 3600)


def test_opted_out_phone_gets_nothing(env):
    settings, _, store = env
    event = visit(settings)
    store.opt_out(event.phone_hash)
    gateway = RecordingGateway()
    assert run(event.to_kafka()[1], env, gateway) == "opted_out"
    assert gateway.sent == [] and store.invitation("v-1") is None


def test_gateway_failures_are_retried_then_reported(env):
    settings, _, store = env
    gateway = RecordingGateway(failures=2)
    assert run(visit(settings).to_kafka()[1], env, gateway) == "sent"
    failing = RecordingGateway(failures=10)
    assert run(visit(settings, visit_id="v-2").to_kafka()[1], env, failing) == "send_failed"
    assert store.invitation("v-2").sent_at is None  # a redelivery would try again
    assert run(visit(settings, visit_id="v-2").to_kafka()[1], env, gateway) == "sent"


@pytest.mark.parametrize("raw", [b"not json", b"{}", b'{"visit_id": "x"}'])
def test_invalid_events_are_skipped(env, raw):
    assert run(raw, env, RecordingGateway()) == "invalid"


def test_unknown_center_and_undecryptable_phone_are_skipped(env):
    settings, _, _ = env
    gateway = RecordingGateway()
    unknown = visit(settings).model_copy(update={"center_id": "mars-1"})
    assert run(unknown.to_kafka()[1], env, gateway) == "invalid"
    garbled = visit(settings, visit_id="v-3").model_copy(update={"phone_encrypted": "garbage"})
    assert run(garbled.to_kafka()[1], env, gateway) == "invalid"
    assert gateway.sent == []
