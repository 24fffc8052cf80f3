"""``/api/v1/cases``: follow-up cases for integrations, with a manager's credential.

``Authorization: Bearer mt_…`` (``dost-feedback users token``) or a ``/manage`` session;
without either, 401. A write with a session also needs the CSRF token (``X-CSRF-Token``), 403
otherwise; SameSite already keeps other sites' requests from carrying the cookie. The caller sees and acts on the cases of its user's scope only; a
case outside it is 404, the same as a missing one. The JSON of a case is
``Case.to_json`` (``dost_contract.followup``), as ``dost-feedback cases list --json`` prints.
"""

from __future__ import annotations

import time
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dost_channels.case_sms import MAX_REPLY_CHARS, queue_case_reply
from dost_channels.cases import CaseStore
from dost_channels.db.offload import in_db_thread
from dost_channels.store import ChannelStore
from dost_channels.users import User, scope_centers
from dost_contract.centers import CenterRegistry
from dost_contract.events import ServiceGroup
from dost_contract.followup import MAX_NOTE_CHARS, CaseAction, CaseError, CaseNotFound, CaseStatus, RootCause
from feedback_web.manage.auth import Gate
from feedback_web.manage.cases_pages import center_regions

API_ACTIONS = {"take": CaseAction.TAKEN, "start": CaseAction.IN_PROGRESS, "resolve": CaseAction.RESOLVED,
               "reopen": CaseAction.REOPENED}


class CaseProblem(BaseModel):
    detail: str
    code: str | None = None


class CaseJson(BaseModel):
    model_config = ConfigDict(extra="allow")
    case_id: str
    center_id: str
    feedback_id: str
    status: CaseStatus
    opened_at: str
    due_at: str
    overdue: bool


class CaseHistoryJson(BaseModel):
    model_config = ConfigDict(extra="allow")
    at: str
    actor: str
    action: str


class CaseDetail(BaseModel):
    case: CaseJson
    history: list[CaseHistoryJson]


class ActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    root_cause: RootCause | None = Field(None, description="Required to resolve")
    note: str | None = Field(None, max_length=MAX_NOTE_CHARS, description="Required to resolve")
    message: str | None = Field(None, max_length=MAX_REPLY_CHARS,
                                description="reply: the one short SMS to the citizen of an SMS case")


ERRORS = {
    401: {"model": CaseProblem, "description": "no manager credential (bearer token or session)"},
    403: {"model": CaseProblem, "description": "a session's write without its X-CSRF-Token"},
    404: {"model": CaseProblem, "description": "no such case in the caller's scope"},
}


def cases_api_router(gate: Gate, cases: CaseStore, store: ChannelStore, registry: CenterRegistry) -> APIRouter:
    router = APIRouter(prefix="/api/v1/cases", tags=["follow-up cases"])
    regions = center_regions(registry)

    async def manager(request: Request) -> User:
        return await gate.api_user(request)

    async def manager_writing(request: Request) -> User:
        return await gate.api_user(request, writes=True)

    def not_found(case_id: str) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": f"no case {case_id!r}", "code": "case_not_found"})

    @router.get("", response_model=list[CaseJson], responses={401: ERRORS[401], 422: {"description": "bad filter"}})
    async def list_cases(
        user: User = Depends(manager),
        center: str | None = Query(None, description="Only this center (within the caller's scope)"),
        status: CaseStatus | None = Query(None),
        service_group: ServiceGroup | None = Query(None),
        root_cause: RootCause | None = Query(None),
        overdue: bool = Query(False, description="Only the open cases past their deadline"),
        limit: int = Query(500, ge=1, le=5000),
    ) -> list[dict]:
        """Cases in the caller's scope, soonest deadline first."""
        scope = scope_centers(user, regions)
        centers = scope & {center} if center else scope
        now = time.time()
        found = await in_db_thread(cases.list_cases, centers=centers, status=status, service_group=service_group,
                                   root_cause=root_cause, overdue_at=now if overdue else None, limit=limit)
        return [case.to_json(now) for case in found]

    @router.get("/{case_id}", response_model=CaseDetail, responses=ERRORS)
    async def get_case(case_id: str, user: User = Depends(manager)) -> CaseDetail | JSONResponse:
        """One case and its history."""
        try:
            case = await in_db_thread(cases.get, case_id, scope_centers(user, regions))
        except CaseNotFound:
            return not_found(case_id)
        history = await in_db_thread(cases.history, case_id)
        return CaseDetail(case=case.to_json(time.time()), history=[entry.to_json() for entry in history])

    @router.post("/{case_id}/{action}", response_model=CaseJson,
                 responses={**ERRORS, 409: {"model": CaseProblem, "description": "not allowed in this status, or a "
                                                                                  "root cause or note missing"}})
    async def act(case_id: str, action: Literal["take", "start", "resolve", "reopen", "reply"],
                  body: ActionBody | None = None, user: User = Depends(manager_writing)) -> dict | JSONResponse:
        """Take a case, mark it in progress (``start``), resolve it (``root_cause`` and ``note``), reopen it,
        or send the citizen of an SMS case its one reply (``reply`` with ``message``; the phone is never shown)."""
        body = body or ActionBody()
        scope = scope_centers(user, regions)
        try:
            if action == "reply":
                case = await in_db_thread(queue_case_reply, store, cases, registry, case_id, body.message or "",
                                          user.email, centers=scope)
            else:
                case = await in_db_thread(cases.act, case_id, API_ACTIONS[action], user.email,
                                          root_cause=body.root_cause, note=body.note, centers=scope)
        except CaseNotFound:
            return not_found(case_id)
        except CaseError as exc:
            return JSONResponse(status_code=409, content={"detail": str(exc), "code": "case_action_refused"})
        return case.to_json(time.time())

    return router
