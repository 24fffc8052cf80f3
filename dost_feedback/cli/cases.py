"""Follow-up cases from the command line: ``cases list|show|resolve|reopen|close``.

The same store and rules as the managers' pages (``dost_channels.cases``); the case agent
(``dost-feedback cases-worker``) opens the cases and publishes every change to
``followup.cases``. An action is recorded as done by ``--by`` (default ``cli:$USER``).
"""

from __future__ import annotations

import getpass
import json
import time
from typing import Optional

import typer

from dost_channels.cases import CaseStore
from dost_channels.db.engine import SchemaBehindError
from dost_contract.followup import CaseError, CaseStatus, RootCause, iso
from dost_contract.settings import get_settings
from dost_feedback.cli.common import fail, require_known_center

cases_app = typer.Typer(help="Follow-up cases: list them, see one, resolve, reopen or close.", no_args_is_help=True)
STATUSES = ", ".join(s.value for s in CaseStatus)
ROOT_CAUSES = ", ".join(c.value for c in RootCause)


def case_store() -> CaseStore:
    try:
        return CaseStore(get_settings().channels_database)
    except SchemaBehindError as exc:
        fail(str(exc))


def _default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@cases_app.command("list")
def cases_list(
    center: Optional[str] = typer.Option(None, "--center", help="Only this center's cases."),
    status: Optional[str] = typer.Option(None, "--status", help=f"Only cases in this status: {STATUSES}."),
    as_json: bool = typer.Option(False, "--json", help="A JSON list (case_id, center_id, feedback_id, status, "
                                                        "opened_at, due_at, ...)."),
    limit: int = typer.Option(500, min=1, max=100_000, help="At most this many, soonest deadline first."),
) -> None:
    """The cases, soonest deadline first; overdue ones marked."""
    if center is not None:
        require_known_center(center)
    if status is not None and status not in {s.value for s in CaseStatus}:
        fail(f"unknown status {status!r}; one of {STATUSES}")
    now = time.time()
    cases = case_store().list_cases(centers=None if center is None else [center], status=status, limit=limit)
    if as_json:
        typer.echo(json.dumps([case.to_json(now) for case in cases], ensure_ascii=False, indent=2))
        return
    if not cases:
        typer.echo("no cases")
        return
    typer.echo(f"{'case_id':<22} {'center':<16} {'status':<11} {'rating':<6} {'due (UTC)':<17} root cause")
    for case in cases:
        due = iso(case.due_at)[:16].replace("T", " ") + (" !" if case.is_overdue(now) else "")
        typer.echo(f"{case.case_id:<22} {case.center_id:<16} {case.status.value:<11} {case.rating:<6} {due:<17} "
                   f"{case.root_cause.value if case.root_cause else '-'}")


@cases_app.command("show")
def cases_show(case_id: str = typer.Argument(..., help="From 'cases list'.")) -> None:
    """One case as JSON, with its history."""
    store = case_store()
    try:
        case = store.get(case_id)
    except CaseError as exc:
        fail(str(exc))
    out = case.to_json(time.time()) | {"history": [entry.to_json() for entry in store.history(case_id)]}
    typer.echo(json.dumps(out, ensure_ascii=False, indent=2))


def _act(action: str, case_id: str, by: str, **kwargs) -> None:
    try:
        case = case_store().act(case_id, action, by, **kwargs)
    except CaseError as exc:
        fail(str(exc))
    typer.echo(f"{case.case_id}: {case.status.value}")


@cases_app.command("resolve")
def cases_resolve(
    case_id: str = typer.Argument(..., help="From 'cases list'."),
    root_cause: str = typer.Option(..., "--root-cause", help=f"One of {ROOT_CAUSES}."),
    note: str = typer.Option(..., "--note", help="What was found and done (required)."),
    by: str = typer.Option(_default_actor(), "--by", help="Who resolves it (recorded in the history)."),
) -> None:
    """Resolve a case with its root cause and a note."""
    _act("resolved", case_id, by, root_cause=root_cause, note=note)


@cases_app.command("reopen")
def cases_reopen(
    case_id: str = typer.Argument(..., help="From 'cases list'."),
    note: str = typer.Option("", "--note", help="Why (optional)."),
    by: str = typer.Option(_default_actor(), "--by", help="Who reopens it."),
) -> None:
    """Reopen a resolved or closed case."""
    _act("reopened", case_id, by, note=note)


@cases_app.command("close")
def cases_close(
    case_id: str = typer.Argument(..., help="From 'cases list'."),
    by: str = typer.Option(_default_actor(), "--by", help="Who closes it."),
) -> None:
    """Close a resolved case."""
    _act("closed", case_id, by)
