"""SMS end to end, every hop real: visits.completed -> the SMS-invitation agent -> dev gateway
outbox -> a signed reply to the web -> feedback.submitted -> the worker's count."""

from __future__ import annotations

import json
import re
import time
import uuid

import httpx
import pytest

from dost_channels import i18n
from dost_contract import topics
from dost_contract.centers import load_registry
from dost_contract.phones import phone_hash
from dost_feedback.stack import services as stack
from feedback_web.sms.signature import DOST_SIGNATURE_HEADER, DOST_TIMESTAMP_HEADER, compute_signature
from tests.conftest import metric_value, read_topic, wait_for
from tests.feedback_web.conftest import worker_count

pytestmark = pytest.mark.services

CENTER = "karabakh-barda"


def outbox(settings, phone: str) -> list[dict]:
    path = settings.sms_outbox_path
    key = phone_hash(settings.phone_hash_secret.get_secret_value(), phone)
    if not path.exists():
        return []
    return [r for r in map(json.loads, path.read_text().splitlines()) if r["to_hash"] == key]


def sms_reply(web, settings, phone: str, body: str, signed: bool = True, secret: str | None = None,
              url: str | None = None, message_id: str | None = None, signed_at: float | None = None) -> httpx.Response:
    """A reply as the gateway forwards it; each call a new message unless ``message_id`` is given."""
    form = {"From": phone, "Body": body, "MessageId": message_id or f"gw-{uuid.uuid4()}"}
    headers = {}
    if signed:
        secret = secret or settings.sms_signature_secret.get_secret_value()
        timestamp = int(time.time() if signed_at is None else signed_at)
        headers[DOST_SIGNATURE_HEADER] = compute_signature(secret, url or f"{web.url}/sms/inbound", form.items(),
                                                           timestamp)
        headers[DOST_TIMESTAMP_HEADER] = str(timestamp)
    return httpx.post(f"{web.url}/sms/inbound", data=form, headers=headers, timeout=15)


def visit(cli, phone: str, language: str, service_group: str = "pensions") -> str:
    out = cli("visit-completed", "--center", CENTER, "--phone", phone, "--language", language,
              "--service-group", service_group).stdout
    return re.search(r"published visit (\S+)", out).group(1)


def invitations(settings, phone: str) -> list[dict]:
    return [r for r in outbox(settings, phone) if r["purpose"] == "invitation"]


def test_visit_invitation_signed_reply_counted_unsigned_403_and_stop(cli, kafka, worker, sms_inviter, web,
                                                                     services_settings):
    phone = "+994 50 555 12 34"
    digits = "5551234"
    before = worker_count(worker, CENTER, "sms")

    # A finished visit produces one invitation, in the citizen's language.
    visit(cli, phone, "az")
    wait_for(lambda: invitations(services_settings, phone), timeout=30, message="the invitation SMS")
    (invitation,) = invitations(services_settings, phone)
    center_name = load_registry(services_settings).get(CENTER).name.az
    assert invitation["text"] == i18n.text("sms_invitation", "az", center=center_name)

    # Unsigned, badly signed, or signed for another URL: 403, nothing counted.
    assert sms_reply(web, services_settings, phone, "5", signed=False).status_code == 403
    assert sms_reply(web, services_settings, phone, "5", secret="wrong").status_code == 403
    assert sms_reply(web, services_settings, phone, "5", url="http://evil.example/sms/inbound").status_code == 403
    stale = sms_reply(web, services_settings, phone, "5", signed_at=time.time() - 3600)
    assert stale.status_code == 403 and "X-Dost-Timestamp" in stale.json()["detail"]

    # The signed reply is counted once, with the visit's center and service group.
    answer = sms_reply(web, services_settings, phone, "5 çox yaxşı idi, nömrəm 050 555 12 34", message_id="gw-1")
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "counted"
    feedback_id = answer.json()["feedback_id"]
    wait_for(lambda: worker_count(worker, CENTER, "sms") == before + 1, timeout=30, message="the SMS rating counted")
    (record,) = [v for _, v in read_topic(services_settings, topics.FEEDBACK_SUBMITTED) if v["feedback_id"] == feedback_id]
    assert (record["channel"], record["center_id"], record["rating"], record["service_group"]) == \
        ("sms", CENTER, 5, "pensions")
    assert record["comment"] == "çox yaxşı idi, nömrəm [phone]"
    assert any(r["purpose"] == "thanks" for r in outbox(services_settings, phone))

    # The gateway retries the same message (or someone replays it): processed once, nothing more.
    sent_before = len(outbox(services_settings, phone))
    again = sms_reply(web, services_settings, phone, "5 çox yaxşı idi, nömrəm 050 555 12 34", message_id="gw-1")
    assert again.json()["status"] == "duplicate"
    assert len(outbox(services_settings, phone)) == sent_before

    # STOP (DAYAN): opted out, confirmed once, and the next visit sends no invitation.
    stop = sms_reply(web, services_settings, phone, "DAYAN")
    assert stop.json()["status"] == "opted_out"
    assert outbox(services_settings, phone)[-1]["text"] == i18n.text("sms_opted_out", "az")
    # An auto-responder answering back gets no more auto-replies today: no SMS loop.
    for text in ("Auto-reply: I am away", "Auto-reply: I am away", "5"):
        assert sms_reply(web, services_settings, phone, text).json()["status"] == "closed"
    assert [r["purpose"] for r in outbox(services_settings, phone)].count("closed") == 0
    opted_out_before = metric_value(httpx.get(sms_inviter.url).text, "dost_sms_invitations_total",
                                    outcome="opted_out") or 0
    visit(cli, phone, "az")
    wait_for(lambda: (metric_value(httpx.get(sms_inviter.url).text, "dost_sms_invitations_total", outcome="opted_out")
                      or 0) == opted_out_before + 1, timeout=30, message="the agent skipped the opted-out phone")
    assert len(invitations(services_settings, phone)) == 1
    assert worker_count(worker, CENTER, "sms") == before + 1

    # The phone number never reached Kafka or any log in clear.
    for topic in (topics.VISITS_COMPLETED, topics.FEEDBACK_SUBMITTED):
        records = [value for _, value in read_topic(services_settings, topic)]
        assert records and digits not in json.dumps(records, ensure_ascii=False)
    for log in ("web.log", "worker-1.log", "sms-inviter.log"):
        assert digits not in (stack.logs_dir(services_settings) / log).read_text(errors="replace")
    assert digits not in services_settings.sms_outbox_path.read_text()


def test_reply_without_a_rating_gets_one_help_sms_and_is_not_counted(cli, worker, sms_inviter, web,
                                                                     services_settings):
    phone = "+994 55 777 88 99"
    before = worker_count(worker, CENTER, "sms")
    visit(cli, phone, "ru")
    wait_for(lambda: invitations(services_settings, phone), timeout=30, message="the invitation SMS")
    assert "оцените" in invitations(services_settings, phone)[0]["text"]
    first = sms_reply(web, services_settings, phone, "А когда вы работаете?")
    assert first.json()["status"] == "help_sent"
    assert outbox(services_settings, phone)[-1]["text"] == i18n.text("sms_help", "ru")
    assert sms_reply(web, services_settings, phone, "???").json()["status"] == "ignored"
    assert [r["purpose"] for r in outbox(services_settings, phone)].count("help") == 1
    # A rating afterwards still counts: the invitation stayed open.
    assert sms_reply(web, services_settings, phone, "четыре").json()["status"] == "counted"
    wait_for(lambda: worker_count(worker, CENTER, "sms") == before + 1, timeout=30, message="the rating counted")
    assert outbox(services_settings, phone)[-1]["text"] == i18n.text("sms_thanks", "ru")


def test_replies_from_uninvited_phones_and_bad_senders(web, services_settings):
    assert sms_reply(web, services_settings, "+994 70 000 00 01", "5").json()["status"] == "no_invitation"
    bad = sms_reply(web, services_settings, "not a phone", "5", message_id="gw-x")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "From"]
    # Unsigned and malformed: still 403, the signature is checked first.
    assert httpx.post(f"{web.url}/sms/inbound", data={"Body": "5"}, timeout=10).status_code == 403
    # The refused call did not use up its message id.
    assert sms_reply(web, services_settings, "+994 70 000 00 03", "5", message_id="gw-x").json()["status"] == \
        "no_invitation"
    stop_unknown = sms_reply(web, services_settings, "+994 70 000 00 02", "STOP")
    assert stop_unknown.json()["status"] == "opted_out"
