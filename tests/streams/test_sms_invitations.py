"""The SMS-invitation agent on a real channel store: the outbox is written before sending,
failures are retried with backoff, and nothing is sent twice.

The crash test (SIGKILL of the real agent process at random moments) is in
tests/streams/test_sms_invitations_crash.py; the end-to-end path (Kafka -> agent ->
outbox -> signed reply) in tests/feedback_web/sms/test_inbound.py.
"""

from __future__ import annotations

import asyncio

import pytest

from dost_channels.sms_gateway import LogGateway, SmsSendError
from dost_channels.store import ChannelStore
from dost_contract.centers import load_registry
from dost_contract.settings import Settings
from dost_contract.visits import VisitCompleted
from streams.sms_invitations import InvitationSender, enqueue


class FlakyGateway:
    """Fails its first ``failures`` sends, then records (to, text, purpose, message_id)."""

    def __init__(self, failures: int = 0) -> None:
        self.sent: list[tuple[str, str, str, str | None]] = []
        self.failures = failures

    async def send(self, to: str, text: str, purpose: str, message_id: str | None = None) -> None:
        if self.failures:
            self.failures -= 1
            raise SmsSendError("gateway said no")
        self.sent.append((to, text, purpose, message_id))


@pytest.fixture
def env(tmp_path):
    settings = Settings(state_dir=tmp_path, sms_retry_initial_seconds=10, sms_retry_max_seconds=40)
    return settings, load_registry(settings), ChannelStore(settings.channels_db_path)


def visit(settings, **overrides) -> VisitCompleted:
    values = {"center_id": "baku-2", "phone": "050 111 22 33", "language": "ru", "visit_id": "v-1"} | overrides
    return VisitCompleted.create(settings, **values)


def queue(env, event: VisitCompleted | bytes, now: float = 1000.0) -> str:
    settings, registry, store = env
    raw = event if isinstance(event, bytes) else event.to_kafka()[1]
    return enqueue(raw, settings=settings, registry=registry, store=store, now=now)


def drain(env, gateway, now: float) -> dict[str, int]:
    settings, _, store = env
    return asyncio.run(InvitationSender(settings, store, gateway).drain(now=now))


def test_one_invitation_per_visit_stored_before_it_is_sent(env):
    settings, _, store = env
    event = visit(settings)
    assert b"1112233" not in event.to_kafka()[1]  # the phone is never in the event in clear
    assert queue(env, event) == "queued"
    assert queue(env, event) == "duplicate"  # a redelivered event
    assert store.invitation("v-1").sent_at is None and store.outbox_counts()["pending"] == 1
    gateway = FlakyGateway()
    assert drain(env, gateway, 1000.0) == {"sent": 1, "failed": 0, "gave_up": 0}
    assert drain(env, gateway, 5000.0)["sent"] == 0
    (to, text, purpose, message_id), = gateway.sent
    assert (to, purpose, message_id) == ("+994501112233", "invitation", "v-1")
    assert "оцените" in text and "Bakı 2 saylı DOST mərkəzi" in text
    invitation = store.invitation("v-1")
    assert invitation.language == "ru" and invitation.sent_at is not None
    assert invitation.expires_at - invitation.created_at == pytest.approx(settings.sms_invitation_valid_hours * 3600)
    assert store.outbox_counts() == {"pending": 0, "sent": 1, "gave_up": 0}


def test_failures_are_retried_with_backoff_until_sent(env):
    settings, _, store = env
    queue(env, visit(settings))
    gateway = FlakyGateway(failures=3)
    assert drain(env, gateway, 1000.0)["failed"] == 1
    assert drain(env, gateway, 1009.0) == {"sent": 0, "failed": 0, "gave_up": 0}  # backoff: 10 s
    assert drain(env, gateway, 1010.0)["failed"] == 1
    assert drain(env, gateway, 1029.0)["failed"] == 0  # then 20 s
    assert drain(env, gateway, 1030.0)["failed"] == 1
    assert drain(env, gateway, 1069.0)["failed"] == 0  # then 40 s, the cap
    assert drain(env, gateway, 1070.0)["sent"] == 1
    assert len(gateway.sent) == 1 and store.invitation("v-1").sent_at is not None


def test_a_sender_that_dies_mid_send_leaves_it_due_later_and_the_gateway_key_stops_a_second_sms(env, tmp_path):
    settings, _, store = env
    queue(env, visit(settings))
    # The claim is taken (the sender then died before marking it sent): not due at once...
    assert len(store.claim_due_invitations(1000.0, 10, 40)) == 1
    assert store.claim_due_invitations(1001.0, 10, 40) == []
    # ...and handed over again later with the same idempotency key, which the gateway honours.
    outbox = tmp_path / "sms.jsonl"
    gateway = LogGateway(outbox, "secret")
    asyncio.run(gateway.send("+994501112233", "first try", "invitation", message_id="v-1"))
    assert drain(env, LogGateway(outbox, "secret"), 1010.0)["sent"] == 1
    assert len(outbox.read_text().splitlines()) == 1
    assert store.outbox_counts()["sent"] == 1


def test_opted_out_and_expired_invitations_are_given_up_not_sent(env):
    settings, _, store = env
    event = visit(settings)
    store.opt_out(event.phone_hash)
    assert queue(env, event) == "opted_out" and store.invitation("v-1") is None
    queue(env, visit(settings, visit_id="v-2", phone="050 222 33 44"))
    gateway = FlakyGateway(failures=100)
    drain(env, gateway, 1000.0)
    late = 1000.0 + settings.sms_invitation_valid_hours * 3600
    assert drain(env, gateway, late) == {"sent": 0, "failed": 0, "gave_up": 1}
    assert store.outbox_counts() == {"pending": 0, "sent": 0, "gave_up": 1}
    queue(env, visit(settings, visit_id="v-3", phone="050 333 44 55"))
    store.opt_out(visit(settings, phone="050 333 44 55").phone_hash, now=1001.0)  # opted out while queued
    assert drain(env, FlakyGateway(), 1002.0)["gave_up"] == 1


@pytest.mark.parametrize("raw", [b"not json", b"{}", b'{"visit_id": "x"}'])
def test_invalid_events_are_skipped(env, raw):
    assert queue(env, raw) == "invalid"


def test_unknown_center_is_skipped_and_an_undecryptable_phone_given_up(env):
    settings, _, store = env
    assert store.outbox_counts()["pending"] == 0
    unknown = visit(settings).model_copy(update={"center_id": "mars-1"})
    assert queue(env, unknown) == "invalid"
    garbled = visit(settings, visit_id="v-3").model_copy(update={"phone_encrypted": "garbage"})
    assert queue(env, garbled) == "queued"
    gateway = FlakyGateway()
    assert drain(env, gateway, 1000.0)["gave_up"] == 1 and gateway.sent == []
    assert store.outbox_counts() == {"pending": 0, "sent": 0, "gave_up": 1}


def test_housekeeping_prunes_what_is_only_needed_for_a_while(env):
    from streams.sms_invitations import housekeeping

    _, _, store = env
    now = 10_000_000.0
    store.record_press("f-old", "d1", now - 2 * 86400, 5, None)
    store.record_press("f-new", "d1", now - 60, 5, None)
    store.acquire_rate("ip:1.2.3.4", 1.0, 5, now=now - 7200)
    store.claim_sms_message("twilio:SM-old", now=now - 40 * 86400)
    store.claim_sms_message("twilio:SM-new", now=now - 86400)
    store.claim_auto_reply("h", "closed", now=now - 3 * 86400)
    housekeeping(store, now)
    assert store.press_verdict("f-old") == (False, None) and store.press_verdict("f-new")[0]
    assert store.prune_rate_buckets(older_than=now) == 0  # already gone
    assert store.claim_sms_message("twilio:SM-old", now=now) and not store.claim_sms_message("twilio:SM-new", now=now)
    assert store.claim_auto_reply("h", "closed", now=now - 3 * 86400)  # that day's reply was forgotten
