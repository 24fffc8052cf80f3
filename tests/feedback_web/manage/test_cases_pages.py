"""The managers' flow in Debian's Chromium against the real web: set a password, sign in, see only
one's own center's cases, resolve one with a root cause; axe-core WCAG 2.1 AA on every page in az/ru/en."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dost_contract import metric_names
from dost_contract.settings import PROJECT_ROOT
from feedback_web.manage import texts
from tests.conftest import metric_value, wait_for
from tests.feedback_web.manage.conftest import PASSWORD, axe_violations

pytestmark = pytest.mark.services

# Set to a folder (e.g. docs/screenshots) to keep the screenshots of the flow.
SCREENSHOTS_DIR = os.environ.get("MANAGE_SCREENSHOTS_DIR")


def shot(page, name: str) -> None:
    if SCREENSHOTS_DIR:
        page.screenshot(path=str(Path(SCREENSHOTS_DIR if Path(SCREENSHOTS_DIR).is_absolute()
                                      else PROJECT_ROOT / SCREENSHOTS_DIR) / name), full_page=True)


def check_axe(page, axe_script, where: str) -> None:
    assert axe_violations(page, axe_script) == [], where


def case_metrics(context, cases_worker, case_store, center_id: str) -> tuple:
    """The case agent's /metrics as the browser fetches it, with the database's own count beside it:
    (open gauge, open in the database, resolved for waiting_time, resolutions observed)."""
    text = context.request.get(cases_worker.url).text()
    counts = case_store.counts().get(center_id)
    return (metric_value(text, metric_names.FOLLOWUP_CASES_OPEN, center_id=center_id),
            counts.open if counts else 0,
            metric_value(text, metric_names.FOLLOWUP_CASES_RESOLVED_TOTAL, center_id=center_id,
                         root_cause="waiting_time") or 0,
            metric_value(text, metric_names.FOLLOWUP_CASE_RESOLUTION_SECONDS + "_count", center_id=center_id) or 0)


def settled(context, cases_worker, case_store, center_id: str) -> tuple:
    """Wait until the open gauge shows what the database holds (the agent refreshes it every second)."""
    def now_settled():
        metrics = case_metrics(context, cases_worker, case_store, center_id)
        return metrics if metrics[0] == metrics[1] else None

    return wait_for(now_settled, 60, "the open-cases gauge settles")


def test_manager_signs_in_sees_own_center_only_and_resolves_a_case(chromium, web, cases_worker, case_store,
                                                                   add_manager, make_case, axe_script):
    email, token = add_manager("--role", "manager", "--center", "baku-6")
    overdue = make_case("baku-6", due_in=-3600, comment="Növbə 2 saat çəkdi, heç kim kömək etmədi.")
    later = make_case("baku-6", rating=2, due_in=86400, service_group="employment", comment=None, channel="sms")
    elsewhere = make_case("karabakh-barda")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{web.url}/manage/set-password?lang=en#token={token}")
        assert "#token" not in page.url  # the token leaves the address bar at once
        check_axe(page, axe_script, "set password")
        page.fill("#password", PASSWORD)
        page.fill("#password2", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/manage/sign-in?saved=1")
        check_axe(page, axe_script, "sign in")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/manage/cases")
        rows = page.locator("tbody tr")
        # Own center only (other tests' ratings may open baku-6 cases too), soonest deadline first.
        assert {rows.nth(i).get_attribute("data-center-id") for i in range(rows.count())} == {"baku-6"}
        shown = [rows.nth(i).get_attribute("data-case-id") for i in range(rows.count())]
        assert shown.index(overdue.case_id) < shown.index(later.case_id)
        assert elsewhere.case_id not in page.content()
        assert "overdue" in page.locator(f'tr[data-case-id="{overdue.case_id}"]').get_attribute("class")
        assert page.locator(f'tr[data-case-id="{later.case_id}"]').get_attribute("class") == ""
        shot(page, "manage-cases.png")
        for language in texts.LANGUAGES:
            page.goto(f"{web.url}/manage/cases?lang={language}")
            assert page.locator("h1").inner_text() == texts.text("cases_title", language)
            check_axe(page, axe_script, f"case list ({language})")
        page.select_option("#f-service_group", "employment")
        page.click("form.filters button")
        page.wait_for_url("**service_group=employment**")
        assert page.locator(f'tr[data-case-id="{later.case_id}"]').count() == 1
        assert page.locator(f'tr[data-case-id="{overdue.case_id}"]').count() == 0
        page.goto(f"{web.url}/manage/cases/{overdue.case_id}?lang=en")
        check_axe(page, axe_script, "case page (en)")
        page.click("#action-take")
        page.wait_for_url(f"**/manage/cases/{overdue.case_id}?saved=1")
        assert page.locator("#case-assignee").inner_text() == email
        before = settled(context, cases_worker, case_store, "baku-6")
        assert before[0] >= 2
        page.select_option("#root_cause", "waiting_time")
        page.fill("#note", "Apologised by phone; a second pensions window opens at 09:00.")
        shot(page, "manage-case.png")
        page.click("#action-resolve")
        page.wait_for_url(f"**/manage/cases/{overdue.case_id}?saved=1")
        assert page.locator("#case-status").inner_text() == texts.text("status_resolved", "en")
        assert page.locator("#case-root_cause").inner_text() == texts.text("cause_waiting_time", "en")
        check_axe(page, axe_script, "resolved case (en)")
        # The metrics change: one more resolution for waiting time, and the open gauge again equals the
        # database's count, which no longer holds this case (other tests' ratings may open baku-6 cases).
        def changed():
            metrics = settled(context, cases_worker, case_store, "baku-6")
            return metrics if metrics[2] == before[2] + 1 else None

        after = wait_for(changed, 60, "the case metrics change")
        assert after[3] == before[3] + 1 and overdue.case_id not in {
            c.case_id for c in case_store.list_cases(centers=["baku-6"], status=["open", "in_progress"])}
        for language in ("az", "ru"):
            page.goto(f"{web.url}/manage/cases/{overdue.case_id}?lang={language}")
            check_axe(page, axe_script, f"case page ({language})")
        page.goto(f"{web.url}/manage/cases/{later.case_id}?lang=ru")  # an SMS case: its reply form too
        assert page.locator("#message").count() == 1
        check_axe(page, axe_script, "SMS case page (ru)")
        # The same session answers the API: the case is resolved, the other still open.
        statuses = {c["case_id"]: c["status"] for c in context.request.get(f"{web.url}/api/v1/cases").json()}
        assert (statuses[overdue.case_id], statuses[later.case_id]) == ("resolved", "open")
        assert context.request.get(f"{web.url}/manage/cases/{elsewhere.case_id}").status == 404
    finally:
        context.close()


def test_page_actions_need_csrf_and_say_why_they_fail(web, add_manager, make_case, services_settings):
    from dost_channels.store import ChannelStore
    from dost_contract.phones import encrypt_phone, phone_hash
    from tests.feedback_web.manage.conftest import csrf_of, sign_in

    email, token = add_manager("--role", "manager", "--center", "baku-4")
    client = sign_in(web.url, email, token)
    case = make_case("baku-4", channel="sms")
    other = make_case("baku-5")
    page = client.get(f"/manage/cases/{case.case_id}?lang=en").text
    csrf = csrf_of(page)
    assert 'action="/manage/cases/' + case.case_id + '/reply"' in page  # an SMS case offers its one reply
    assert client.post(f"/manage/cases/{case.case_id}/take", data={"csrf": "forged"}).status_code == 403
    no_note = client.post(f"/manage/cases/{case.case_id}/resolve", data={"csrf": csrf, "root_cause": "premises"})
    assert no_note.status_code == 400 and "needs a note" in no_note.text
    assert client.post(f"/manage/cases/{other.case_id}/take", data={"csrf": csrf}).status_code == 404
    assert client.get(f"/manage/cases/{other.case_id}").status_code == 404
    phone = "+994551112233"
    store = ChannelStore(services_settings.channels_database)
    try:
        store.remember_contact(feedback_id=case.feedback_id, language="az", valid_seconds=3600,
                               phone_hash=phone_hash(services_settings.phone_hash_secret.get_secret_value(), phone),
                               phone_encrypted=encrypt_phone(
                                   services_settings.phone_encryption_key.get_secret_value(), phone))
        sent = client.post(f"/manage/cases/{case.case_id}/reply", data={"csrf": csrf, "message": "Üzr istəyirik."})
        assert sent.status_code == 303, sent.text
        page = client.get(f"/manage/cases/{case.case_id}").text
        assert "/reply\"" not in page and "reply_sent" in page and phone[4:] not in page
    finally:
        store.close()
