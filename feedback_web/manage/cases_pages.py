"""``/manage/cases``: the case list (by deadline, overdue marked, filters) and a case's page and actions.

A user sees and acts only on the cases of their scope (``dost_channels.users.scope_centers``);
an SMS case also offers its one reply to the citizen (``dost_channels.case_sms.queue_case_reply``:
the invitation outbox sends it, and the phone stays encrypted in the database).
a case outside it is "no such case", like a missing one. Every action is a POST form with
the CSRF token, then a redirect back to the case (post/redirect/get). The citizen's phone is
never on a case: there is nothing to show.
"""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from dost_channels import i18n
from dost_channels.case_sms import MAX_REPLY_CHARS, queue_case_reply
from dost_channels.cases import CaseStore
from dost_channels.db.offload import in_db_thread
from dost_channels.store import ChannelStore
from dost_channels.users import User, scope_centers
from dost_contract.centers import CenterRegistry
from dost_contract.events import ServiceGroup
from dost_contract.followup import Case, CaseAction, CaseError, CaseNotFound, CaseStatus, RootCause
from feedback_web.manage import html, texts
from feedback_web.manage.auth import Gate

BAKU = ZoneInfo("Asia/Baku")
# The page's action names -> the case actions; "resolve" and "reopen" take a form's fields.
PAGE_ACTIONS = {"take": CaseAction.TAKEN, "start": CaseAction.IN_PROGRESS, "resolve": CaseAction.RESOLVED,
                "reopen": CaseAction.REOPENED}


def local_time(seconds: float | None) -> str:
    """A time as Baku's wall clock (what a manager's day runs on)."""
    return "-" if seconds is None else datetime.fromtimestamp(seconds, BAKU).strftime("%Y-%m-%d %H:%M")


def center_regions(registry: CenterRegistry) -> dict[str, str]:
    return {center.center_id: center.region for center in registry.centers}


def center_name(center, language: str) -> str:
    """The registry names centers in az and en; Russian pages use the Azerbaijani name."""
    return center.name.en if language == "en" else center.name.az


def service_label(group: str | None, language: str) -> str:
    if not group:
        return "-"
    key = f"service_{group}"
    return i18n.text(key, language) if key in i18n.MESSAGES else group


def _filters(language: str, status: str, service_group: str, root_cause: str) -> str:
    any_label = texts.text("any", language)
    statuses = [(s.value, texts.text(f"status_{s.value}", language)) for s in CaseStatus]
    groups = [(g.value, service_label(g.value, language)) for g in ServiceGroup]
    causes = [(c.value, texts.text(f"cause_{c.value}", language)) for c in RootCause]
    fields = "".join(
        f'<div><label for="f-{name}">{html.t(label, language)}</label>'
        f'<select id="f-{name}" name="{name}">{html.options(values, selected, any_label)}</select></div>'
        for name, label, values, selected in (("status", "status", statuses, status),
                                              ("service_group", "service_group", groups, service_group),
                                              ("root_cause", "root_cause", causes, root_cause)))
    return (f'<form method="get" action="/manage/cases" class="filters" aria-label="{html.t("filters", language)}">'
            f'{fields}<div><button type="submit">{html.t("filter_apply", language)}</button></div></form>')


def render_list(cases: list[Case], language: str, now: float, registry: CenterRegistry) -> str:
    if not cases:
        return f'<p role="status">{html.t("no_cases", language)}</p>'
    head = "".join(f'<th scope="col">{html.t(key, language)}</th>' for key in
                   ("due_at", "status", "center", "rating", "service_group", "comment", "assignee"))
    rows = []
    for case in cases:
        overdue = case.is_overdue(now)
        badge = f' <span class="badge overdue">{html.t("overdue", language)}</span>' if overdue else ""
        center = registry.get(case.center_id)
        comment = (case.comment or "")[:80] + ("…" if case.comment and len(case.comment) > 80 else "")
        rows.append(
            f'<tr class="{"overdue" if overdue else ""}" data-case-id="{html.escape(case.case_id)}" '
            f'data-center-id="{html.escape(case.center_id)}">'
            f'<td><a href="/manage/cases/{html.escape(case.case_id)}">{local_time(case.due_at)}</a>{badge}</td>'
            f'<td>{html.t("status_" + case.status.value, language)}</td>'
            f'<td>{html.escape(center_name(center, language) if center else case.center_id)}</td>'
            f'<td>{case.rating}</td><td>{html.escape(service_label(case.service_group, language))}</td>'
            f'<td>{html.escape(comment) or "-"}</td>'
            f'<td>{html.escape(case.assignee or texts.text("nobody", language))}</td></tr>')
    return f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _action_form(case: Case, action: str, language: str, csrf: str, fields: str = "") -> str:
    return (f'<form method="post" action="/manage/cases/{html.escape(case.case_id)}/{action}">'
            f'{html.csrf_field(csrf)}{fields}'
            f'<button type="submit" id="action-{action}">{html.t("action_" + action, language)}</button></form>')


def render_actions(case: Case, language: str, csrf: str) -> str:
    forms = []
    if case.active:
        forms.append(_action_form(case, "take", language, csrf))
    if case.status == CaseStatus.OPEN:
        forms.append(_action_form(case, "start", language, csrf))
    if case.active:
        causes = [(c.value, texts.text(f"cause_{c.value}", language)) for c in RootCause]
        fields = (f'<label for="root_cause">{html.t("root_cause", language)}</label>'
                  f'<select id="root_cause" name="root_cause" required>'
                  f'{html.options(causes, None, texts.text("choose", language))}</select>'
                  f'<label for="note">{html.t("note", language)}</label>'
                  f'<textarea id="note" name="note" required maxlength="2000"></textarea>')
        forms.append(_action_form(case, "resolve", language, csrf, fields))
    if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        forms.append(_action_form(case, "reopen", language, csrf))
    if case.channel == "sms" and case.reply_sent_at is None:
        fields = (f'<label for="message">{html.t("reply_text", language)}</label>'
                  f'<textarea id="message" name="message" required maxlength="{MAX_REPLY_CHARS}"></textarea>')
        forms.append(_action_form(case, "reply", language, csrf, fields))
    return (f'<section class="actions" aria-labelledby="actions-title"><h2 id="actions-title">'
            f'{html.t("actions", language)}</h2>{"".join(forms)}</section>')


def render_case(case: Case, history: list, language: str, now: float, registry: CenterRegistry, csrf: str,
                error: str | None = None, saved: bool = False) -> str:
    center = registry.get(case.center_id)
    overdue = case.is_overdue(now)
    sentiment = "-"
    if case.sentiment_label:
        sentiment = texts.text(f"sentiment_{case.sentiment_label}", language)
        if case.sentiment_score is not None:
            sentiment += f" ({case.sentiment_score:.2f})"
    facts = [
        ("status", texts.text("status_" + case.status.value, language)
         + (f' · {texts.text("overdue", language)}' if overdue else "")),
        ("center", center_name(center, language) if center else case.center_id),
        ("rating", str(case.rating)), ("channel", case.channel),
        ("service_group", service_label(case.service_group, language)),
        ("opened_at", local_time(case.opened_at)), ("due_at", local_time(case.due_at)),
        ("assignee", case.assignee or texts.text("nobody", language)), ("sentiment", sentiment),
    ]
    if case.root_cause:
        facts.append(("root_cause", texts.text(f"cause_{case.root_cause.value}", language)))
    if case.resolution_note:
        facts.append(("note", case.resolution_note))
    facts_html = "".join(f'<dt>{html.t(key, language)}</dt><dd id="case-{key}">{html.escape(value)}</dd>'
                         for key, value in facts)
    comment = (f'<p class="comment">{html.escape(case.comment)}</p>' if case.comment
               else f'<p>{html.t("no_comment", language)}</p>')
    entries = "".join(
        f'<li><time>{local_time(e.at)}</time> · {html.escape(e.actor)} · {html.escape(e.action.value)}'
        f'{" · " + html.escape(texts.text("cause_" + e.root_cause.value, language)) if e.root_cause else ""}'
        f'{" · " + html.escape(e.note) if e.note else ""}</li>' for e in history)
    notice = html.message("notice", texts.text("done", language) if saved else None)
    return (f'<p><a href="/manage/cases">{html.t("back_to_list", language)}</a></p>'
            f'{html.message("error", error)}{notice}<dl>{facts_html}</dl>'
            f'<h2>{html.t("comment", language)}</h2>{comment}{render_actions(case, language, csrf)}'
            f'<h2>{html.t("history", language)}</h2><ol class="history">{entries}</ol>')


def cases_router(gate: Gate, cases: CaseStore, store: ChannelStore, registry: CenterRegistry) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    regions = center_regions(registry)

    def scope(user: User) -> frozenset[str]:
        return scope_centers(user, regions)

    @router.get("/manage/cases")
    async def case_list(request: Request, status: str = "", service_group: str = "", root_cause: str = "") -> Response:
        user = await gate.page_user(request)
        if user is None:
            return gate.sign_in_redirect()
        language = gate.language(request)
        # An unknown filter value is ignored (a stale bookmark), not an error page.
        status = status if status in {s.value for s in CaseStatus} else ""
        service_group = service_group if service_group in {g.value for g in ServiceGroup} else ""
        root_cause = root_cause if root_cause in {c.value for c in RootCause} else ""
        found = await in_db_thread(cases.list_cases, centers=scope(user), status=status or None,
                                   service_group=service_group or None, root_cause=root_cause or None)
        body = _filters(language, status, service_group, root_cause) + render_list(found, language, time.time(),
                                                                                  registry)
        query = {k: v for k, v in (("status", status), ("service_group", service_group),
                                   ("root_cause", root_cause)) if v}
        return gate.html(request, "cases_title", body, user=user, query=query)

    @router.get("/manage/cases/{case_id}")
    async def case_page(request: Request, case_id: str, error: str | None = None) -> Response:
        user = await gate.page_user(request)
        if user is None:
            return gate.sign_in_redirect()
        language = gate.language(request)
        try:
            case = await in_db_thread(cases.get, case_id, scope(user))
        except CaseNotFound:
            return gate.html(request, "not_found", f'<p><a href="/manage/cases">{html.t("back_to_list", language)}'
                             '</a></p>', user=user, status=404)
        history = await in_db_thread(cases.history, case_id)
        body = render_case(case, history, language, time.time(), registry, gate.csrf(request), error,
                           saved="saved" in request.query_params)
        return gate.html(request, "case_title", body, user=user, title_values={"case_id": case.case_id})

    @router.post("/manage/cases/{case_id}/{action}")
    async def case_action(request: Request, case_id: str, action: str, csrf: str = Form(""),
                          root_cause: str = Form(""), note: str = Form(""), message: str = Form("")) -> Response:
        user = await gate.page_user(request)
        if user is None:
            return gate.sign_in_redirect()
        if not gate.csrf_ok(request, csrf):
            return gate.csrf_refused(request, user)
        if action not in PAGE_ACTIONS and action != "reply":
            return gate.html(request, "not_found", "", user=user, status=404)
        try:
            if action == "reply":
                await in_db_thread(queue_case_reply, store, cases, registry, case_id, message, user.email,
                                   centers=scope(user))
            else:
                await in_db_thread(cases.act, case_id, PAGE_ACTIONS[action], user.email,
                                   root_cause=root_cause or None, note=note or None, centers=scope(user))
        except CaseNotFound:
            return gate.html(request, "not_found", "", user=user, status=404)
        except CaseError as exc:
            language = gate.language(request)
            case = await in_db_thread(cases.get, case_id, scope(user))
            history = await in_db_thread(cases.history, case_id)
            body = render_case(case, history, language, time.time(), registry, gate.csrf(request),
                               texts.text("error_action", language, reason=str(exc)))
            return gate.html(request, "case_title", body, user=user, status=400,
                             title_values={"case_id": case.case_id})
        return RedirectResponse(f"/manage/cases/{case_id}?saved=1", status_code=303)

    return router
