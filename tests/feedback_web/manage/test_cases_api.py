"""``/api/v1/cases`` on the real web: 401 without a manager's credential, scope, and the actions."""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.services


def test_without_a_credential_401(web):
    for call in (lambda: httpx.get(f"{web.url}/api/v1/cases"),
                 lambda: httpx.get(f"{web.url}/api/v1/cases", headers={"Authorization": "Bearer mt_forged"}),
                 lambda: httpx.post(f"{web.url}/api/v1/cases/case-x/take")):
        answer = call()
        assert answer.status_code == 401 and answer.json()["code"] == "manager_credential_missing"
        assert answer.headers["www-authenticate"] == "Bearer"


def test_a_token_sees_its_scope_and_resolves_with_a_root_cause(web, cli, add_manager, make_case):
    email, _ = add_manager("--role", "manager", "--center", "karabakh-shusha")
    token = re.search(r"token: (mt_\S+)", cli("users", "token", "--email", email).stdout).group(1)
    auth = {"Authorization": f"Bearer {token}"}
    mine = make_case("karabakh-shusha", due_in=-60)
    theirs = make_case("baku-3")
    listed = httpx.get(f"{web.url}/api/v1/cases", headers=auth).json()
    assert {c["center_id"] for c in listed} == {"karabakh-shusha"}  # other tests may open cases there too
    (listed,) = [c for c in listed if c["case_id"] == mine.case_id]
    assert listed["overdue"] is True
    assert {"case_id", "center_id", "feedback_id", "status", "opened_at", "due_at"} <= set(listed)
    assert httpx.get(f"{web.url}/api/v1/cases/{theirs.case_id}", headers=auth).status_code == 404
    assert httpx.post(f"{web.url}/api/v1/cases/{theirs.case_id}/take", headers=auth).status_code == 404
    refused = httpx.post(f"{web.url}/api/v1/cases/{mine.case_id}/resolve", headers=auth, json={"root_cause": "premises"})
    assert refused.status_code == 409 and "needs a note" in refused.json()["detail"]
    assert httpx.post(f"{web.url}/api/v1/cases/{mine.case_id}/resolve", headers=auth,
                      json={"root_cause": "nonsense", "note": "x"}).status_code == 422
    resolved = httpx.post(f"{web.url}/api/v1/cases/{mine.case_id}/resolve", headers=auth,
                          json={"root_cause": "waiting_time", "note": "Called back; a second window opens at 9."})
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["status"], resolved.json()["root_cause"]) == ("resolved", "waiting_time")
    detail = httpx.get(f"{web.url}/api/v1/cases/{mine.case_id}", headers=auth).json()
    assert [e["action"] for e in detail["history"]] == ["opened", "resolved"]
    assert detail["history"][-1]["actor"] == email
    still_open = httpx.get(f"{web.url}/api/v1/cases?status=open", headers=auth).json()
    assert mine.case_id not in {c["case_id"] for c in still_open}


def test_an_sms_case_gets_one_reply_through_the_outbox_and_the_phone_is_never_shown(
        web, cli, add_manager, make_case, services_settings):
    from dost_channels.store import ChannelStore
    from dost_contract.phones import encrypt_phone, phone_hash

    phone = "+994507654321"
    email, _ = add_manager("--role", "regional", "--region", "karabakh")
    token = re.search(r"token: (mt_\S+)", cli("users", "token", "--email", email).stdout).group(1)
    auth = {"Authorization": f"Bearer {token}"}
    case = make_case("karabakh-shusha", channel="sms")
    kiosk_case = make_case("karabakh-barda")
    store = ChannelStore(services_settings.channels_database)
    try:
        store.remember_contact(feedback_id=case.feedback_id, language="en", valid_seconds=3600,
                               phone_hash=phone_hash(services_settings.phone_hash_secret.get_secret_value(), phone),
                               phone_encrypted=encrypt_phone(
                                   services_settings.phone_encryption_key.get_secret_value(), phone))
        url = f"{web.url}/api/v1/cases/{case.case_id}/reply"
        sent = httpx.post(url, headers=auth, json={"message": "We are sorry; please call us at the center."})
        assert sent.status_code == 200, sent.text
        again = httpx.post(url, headers=auth, json={"message": "Twice?"})
        assert again.status_code == 409 and "already been sent" in again.json()["detail"]
        not_sms = httpx.post(f"{web.url}/api/v1/cases/{kiosk_case.case_id}/reply", headers=auth,
                             json={"message": "Hello"})
        assert not_sms.status_code == 409 and "no phone to answer" in not_sms.json()["detail"]
        row = store._one("SELECT text, phone_encrypted FROM invitation_outbox WHERE visit_id = ?",
                         (f"case-reply:{case.case_id}",))
        assert row["text"].endswith("We are sorry; please call us at the center.")
        detail = httpx.get(f"{web.url}/api/v1/cases/{case.case_id}", headers=auth).text
        assert phone not in detail and phone[4:] not in detail and row["phone_encrypted"] not in detail
        assert '"reply_sent"' in detail
    finally:
        store.close()


def test_a_session_reads_and_writes_only_with_its_csrf_token(web, add_manager, make_case):
    from tests.feedback_web.manage.conftest import csrf_of, sign_in

    email, token = add_manager("--role", "manager", "--center", "baku-3")
    client = sign_in(web.url, email, token)
    case = make_case("baku-3")
    assert case.case_id in {c["case_id"] for c in client.get("/api/v1/cases").json()}
    refused = client.post(f"/api/v1/cases/{case.case_id}/take")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_token_missing"
    csrf = csrf_of(client.get("/manage/cases").text)
    taken = client.post(f"/api/v1/cases/{case.case_id}/take", headers={"X-CSRF-Token": csrf})
    assert taken.status_code == 200 and taken.json()["assignee"] == email
