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
    assert [c["case_id"] for c in listed] == [mine.case_id] and listed[0]["overdue"] is True
    assert {"case_id", "center_id", "feedback_id", "status", "opened_at", "due_at"} <= set(listed[0])
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
    assert httpx.get(f"{web.url}/api/v1/cases?status=open", headers=auth).json() == []
