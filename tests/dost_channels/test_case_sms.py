"""Answering a case's citizen by SMS, on SQLite and PostgreSQL: one reply, the survey, its answer."""

from __future__ import annotations

import pytest

from dost_channels import i18n
from dost_channels.case_sms import (
    CASE_REPLY_PREFIX,
    CASE_SURVEY_PREFIX,
    answer_case_survey,
    queue_case_reply,
    queue_case_survey,
    survey_case_id,
)
from dost_channels.cases import CaseStore
from dost_channels.store import ChannelStore
from dost_contract.centers import load_registry
from dost_contract.followup import CaseAction, CaseError, CaseStatus, OpenReason, new_case
from dost_contract.phones import decrypt_phone, encrypt_phone
from dost_contract.settings import DEV_PHONE_ENCRYPTION_KEY, Settings

T0 = 1_764_576_000.0
PHONE = "+994505551234"
REGISTRY = load_registry(Settings())


def sms_case(store: ChannelStore, cases: CaseStore, feedback_id: str = "f-sms", language: str = "en",
             channel: str = "sms"):
    store.remember_contact(feedback_id=feedback_id, phone_hash="h-1",
                           phone_encrypted=encrypt_phone(DEV_PHONE_ENCRYPTION_KEY, PHONE), language=language,
                           valid_seconds=14 * 86400, now=T0)
    case = new_case(feedback_id=feedback_id, center_id="baku-1", reason=OpenReason.LOW_RATING, rating=1,
                    channel=channel, opened_at=T0, due=T0 + 3600)
    return cases.open_case(case)[0]


def claimed(store: ChannelStore) -> dict[str, str]:
    return {item.visit_id: decrypt_phone(DEV_PHONE_ENCRYPTION_KEY, item.phone_encrypted) + " " + item.text
            for item in store.claim_due_invitations(T0 + 10, 1, 60)}


def test_the_manager_sends_one_reply_through_the_outbox_and_never_sees_the_phone(db_target):
    store, cases = ChannelStore(db_target), CaseStore(db_target)
    case = sms_case(store, cases)
    replied = queue_case_reply(store, cases, REGISTRY, case.case_id, "  Sorry for the wait;\n we called the clerk ",
                               "aysel@dost.az", now=T0 + 1)
    assert replied.reply_sent_at == T0 + 1 and PHONE not in str(replied.to_json())
    name = REGISTRY.get("baku-1").name.en
    assert claimed(store) == {CASE_REPLY_PREFIX + case.case_id: PHONE + " " + i18n.text(
        "sms_case_reply", "en", center=name, message="Sorry for the wait; we called the clerk")}
    assert cases.history(case.case_id)[-1].action == CaseAction.REPLY_SENT
    with pytest.raises(CaseError, match="already been sent"):
        queue_case_reply(store, cases, REGISTRY, case.case_id, "again", "aysel@dost.az", now=T0 + 2)
    assert store.invitation(CASE_REPLY_PREFIX + case.case_id) is None  # nothing to match a reply to


@pytest.mark.parametrize("setup,message,match", [
    ("kiosk", "hello", "came by kiosk"),
    ("no_contact", "hello", "no longer kept"),
    ("opted_out", "hello", "opted out"),
    ("sms", " ", "empty"),
    ("sms", "x" * 301, "at most 300"),
])
def test_a_reply_that_cannot_go_says_why(tmp_path, setup, message, match):
    store, cases = ChannelStore(tmp_path / "s.sqlite3"), CaseStore(tmp_path / "s.sqlite3")
    case = sms_case(store, cases, channel="kiosk" if setup == "kiosk" else "sms",
                    feedback_id="other" if setup == "no_contact" else "f-sms")
    if setup == "no_contact":
        case = cases.open_case(new_case(feedback_id="f-none", center_id="baku-1", reason="low_rating", rating=1,
                                        channel="sms", opened_at=T0, due=T0 + 1))[0]
    if setup == "opted_out":
        store.opt_out("h-1", now=T0)
    with pytest.raises(CaseError, match=match):
        queue_case_reply(store, cases, REGISTRY, case.case_id, message, "m", now=T0 + 1)
    assert store.outbox_counts()["pending"] == 0


def test_the_survey_after_resolution_and_an_unhappy_answer_reopens_the_case(db_target):
    store, cases = ChannelStore(db_target), CaseStore(db_target)
    case = sms_case(store, cases, language="az")
    assert not queue_case_survey(store, cases, REGISTRY, case, valid_seconds=86400, now=T0 + 1)  # not resolved yet
    resolved = cases.resolve(case.case_id, "m", "waiting_time", "second window opened", now=T0 + 2)
    assert queue_case_survey(store, cases, REGISTRY, resolved, valid_seconds=86400, now=T0 + 3)
    assert not queue_case_survey(store, cases, REGISTRY, cases.get(case.case_id), valid_seconds=86400, now=T0 + 4)
    visit_id = CASE_SURVEY_PREFIX + case.case_id
    assert survey_case_id(visit_id) == case.case_id and survey_case_id("v-123") is None
    name = REGISTRY.get("baku-1").name.az
    assert claimed(store) == {visit_id: PHONE + " " + i18n.text("sms_case_survey", "az", center=name)}
    store.mark_outbox_sent(visit_id, now=T0 + 5)
    assert store.latest_invitation("h-1").visit_id == visit_id  # the web matches the reply to it
    reopened = answer_case_survey(store, cases, visit_id, 1, now=T0 + 6)
    assert (reopened.status, reopened.survey_rating, reopened.root_cause) == (CaseStatus.OPEN, 1, None)
    assert store.invitation(visit_id).answered_at == T0 + 6
    assert [e.action for e in cases.history(case.case_id)][-2:] == [CaseAction.SURVEY_SENT,
                                                                   CaseAction.SURVEY_ANSWERED]
    with pytest.raises(CaseError, match="already answered"):
        answer_case_survey(store, cases, visit_id, 5, now=T0 + 7)
    with pytest.raises(CaseError, match="not a case survey"):
        answer_case_survey(store, cases, "v-1", 5)


def test_contacts_expire_and_are_pruned(db_target):
    store = ChannelStore(db_target)
    assert store.remember_contact(feedback_id="f", phone_hash="h", phone_encrypted="e", language="ru",
                                  valid_seconds=10, now=T0)
    assert not store.remember_contact(feedback_id="f", phone_hash="h2", phone_encrypted="e2", language="en",
                                      valid_seconds=10, now=T0)
    assert store.contact("f", now=T0 + 9) == {"phone_hash": "h", "phone_encrypted": "e", "language": "ru"}
    assert store.contact("f", now=T0 + 10) is None
    assert store.prune_contacts(now=T0 + 9) == 0 and store.prune_contacts(now=T0 + 10) == 1
