"""Follow-up cases: what opens one, its deadline, its statuses and who may move it where.

Pure rules, no I/O: the cases store (``dost_channels.cases``), the case agent
(``streams.followup``), the CLI and the managers' pages all apply these.

- **What opens a case** (``FollowupRule``, per center: the registry's ``followup:`` block,
  else the ``DOST_FOLLOWUP_*`` defaults): a rating at or below ``max_rating`` (default 2),
  or a comment scored negative on ``feedback.scored`` (even with a rating of 3 or more).
- **The deadline** is ``deadline_working_days`` (default 2) working days of the center's
  opening hours (Asia/Baku), see ``dost_contract.opening_hours.add_working_time``.
- **Statuses**: ``open`` -> ``in_progress`` -> ``resolved`` -> ``closed``; a resolved or
  closed case can be reopened (by a manager, or by the citizen's survey reply of 1 or 2).
  Resolving needs a root cause from ``RootCause`` and a note. Every step is an entry of the
  case's history: who, what, when.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from dost_contract.opening_hours import OpeningHours, add_working_time, working_day_seconds

MAX_NOTE_CHARS = 2000
# Who acts when no person does: the case agent opening a case, the citizen's survey reply.
SYSTEM_ACTOR = "system"
CITIZEN_ACTOR = "citizen"
# A survey reply at or below this reopens the resolved case; above it closes the case.
SURVEY_REOPEN_MAX_RATING = 2


class CaseStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


ACTIVE_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS)  # counted as open, can be overdue


class RootCause(StrEnum):
    """The fixed list a resolution must pick from."""

    WAITING_TIME = "waiting_time"
    STAFF_CONDUCT = "staff_conduct"
    INFORMATION_GIVEN = "information_given"
    DOCUMENTS_PROCESS = "documents_process"
    PREMISES = "premises"
    DECISION_OUTCOME = "decision_outcome"
    DIGITAL_SERVICES = "digital_services"
    OTHER = "other"


class CaseAction(StrEnum):
    """What a history entry records (and the ``event`` of a ``followup.cases`` record)."""

    OPENED = "opened"
    TAKEN = "taken"  # someone became the assignee
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"
    REPLY_SENT = "reply_sent"  # the manager's one SMS to the citizen
    SURVEY_SENT = "survey_sent"  # "Reply 1-5" after resolution
    SURVEY_ANSWERED = "survey_answered"


class OpenReason(StrEnum):
    LOW_RATING = "low_rating"
    NEGATIVE_COMMENT = "negative_comment"


class CaseError(ValueError):
    """A case action that cannot be done; the message says why."""


class CaseNotFound(CaseError):
    """No such case (or not one the caller may see)."""


class FollowupRule(BaseModel):
    """When a center's feedback opens a case, and how long the center has to act."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    max_rating: int = Field(2, ge=0, le=5, description="a rating at or below this opens a case (0: never)")
    on_negative_comment: bool = True
    deadline_working_days: float = Field(2.0, gt=0, le=60)

    def overridden_by(self, center_rule: "FollowupRule | None") -> "FollowupRule":
        """This (default) rule with the fields a center's ``followup:`` block sets."""
        if center_rule is None:
            return self
        return self.model_copy(update=center_rule.model_dump(include=center_rule.model_fields_set))


def opening_reason(rule: FollowupRule, rating: int, sentiment_label: str | None) -> OpenReason | None:
    """Why this feedback opens a case under ``rule``, or None if it does not."""
    if not rule.enabled:
        return None
    if rating <= rule.max_rating:
        return OpenReason.LOW_RATING
    if rule.on_negative_comment and sentiment_label == "negative":
        return OpenReason.NEGATIVE_COMMENT
    return None


def due_at(opened_at: float, hours: OpeningHours, zone: ZoneInfo, working_days: float) -> float:
    """The deadline (Unix seconds) of a case opened at ``opened_at``: working days of open time."""
    start = datetime.fromtimestamp(opened_at, timezone.utc)
    return add_working_time(hours, start, working_days * working_day_seconds(hours), zone).timestamp()


@dataclass(frozen=True)
class Case:
    case_id: str
    center_id: str
    feedback_id: str
    reason: str
    rating: int
    comment: str | None
    sentiment_label: str | None
    sentiment_score: float | None
    language: str | None
    service_group: str | None
    channel: str
    opened_at: float
    due_at: float
    status: CaseStatus
    assignee: str | None = None
    root_cause: RootCause | None = None
    resolution_note: str | None = None
    resolved_at: float | None = None
    closed_at: float | None = None
    updated_at: float | None = None
    reply_sent_at: float | None = None
    survey_sent_at: float | None = None
    survey_rating: int | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def is_overdue(self, now: float) -> bool:
        """Still open (or in progress) past its deadline."""
        return self.active and now >= self.due_at

    def to_json(self, now: float | None = None) -> dict:
        """The CLI's and API's JSON (times as UTC ISO-8601); no phone, ever."""
        out = {
            "case_id": self.case_id, "center_id": self.center_id, "feedback_id": self.feedback_id,
            "status": str(self.status), "opened_at": iso(self.opened_at), "due_at": iso(self.due_at),
            "reason": self.reason, "rating": self.rating, "comment": self.comment,
            "sentiment": None if self.sentiment_label is None else {
                "label": self.sentiment_label, "score": self.sentiment_score, "language": self.language},
            "service_group": self.service_group, "channel": self.channel, "assignee": self.assignee,
            "root_cause": None if self.root_cause is None else str(self.root_cause),
            "resolution_note": self.resolution_note, "resolved_at": iso(self.resolved_at),
            "closed_at": iso(self.closed_at),
        }
        if now is not None:
            out["overdue"] = self.is_overdue(now)
        return out


@dataclass(frozen=True)
class HistoryEntry:
    at: float
    actor: str
    action: CaseAction
    from_status: CaseStatus | None
    to_status: CaseStatus
    root_cause: RootCause | None = None
    note: str | None = None

    def to_json(self) -> dict:
        return {"at": iso(self.at), "actor": self.actor, "action": str(self.action),
                "from_status": None if self.from_status is None else str(self.from_status),
                "to_status": str(self.to_status),
                "root_cause": None if self.root_cause is None else str(self.root_cause), "note": self.note}


def iso(seconds: float | None) -> str | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc).isoformat()


def parse_root_cause(value: str | RootCause | None) -> RootCause:
    try:
        return RootCause(value)
    except ValueError:
        raise CaseError(f"root cause {value!r} is not one of {', '.join(c.value for c in RootCause)}") from None


def _note(note: str | None, required: bool, action: str) -> str | None:
    note = (note or "").strip() or None
    if required and note is None:
        raise CaseError(f"{action} needs a note (what was found and done)")
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise CaseError(f"a note is at most {MAX_NOTE_CHARS} characters, got {len(note)}")
    return note


_VERBS = {CaseAction.TAKEN: "take", CaseAction.IN_PROGRESS: "mark in progress", CaseAction.RESOLVED: "resolve",
          CaseAction.REOPENED: "reopen", CaseAction.CLOSED: "close", CaseAction.SURVEY_SENT: "send the survey of"}


def _require(case: Case, action: CaseAction, allowed: tuple[CaseStatus, ...]) -> None:
    if case.status not in allowed:
        raise CaseError(f"case {case.case_id} is {case.status}: cannot {_VERBS[action]} it "
                        f"(only from {' or '.join(s.value for s in allowed)})")


def _actor(actor: str) -> str:
    actor = (actor or "").strip()
    if not actor:
        raise CaseError("an action needs the name of who does it")
    return actor


def transition(case: Case, action: CaseAction, actor: str, now: float, *,
               root_cause: str | RootCause | None = None, note: str | None = None,
               survey_rating: int | None = None) -> tuple[Case, HistoryEntry]:
    """The case after ``actor`` does ``action`` at ``now``, and the history entry it writes.

    - ``taken``: the actor becomes the assignee (open or in progress);
    - ``in_progress``: from open (the actor becomes the assignee if there is none);
    - ``resolved``: from open or in progress, with a root cause and a note;
    - ``reopened``: from resolved or closed (root cause and note are cleared, kept in history);
    - ``closed``: from resolved;
    - ``reply_sent``/``survey_sent``: a record only, once each per case;
    - ``survey_answered`` (``survey_rating`` 1-5): 1 or 2 reopens a resolved or closed case, 3-5 closes a
      resolved one.
    ``CaseError`` says why an action is not allowed.
    """
    actor = _actor(actor)
    before = case.status
    cause: RootCause | None = None
    changes: dict = {}
    if action == CaseAction.TAKEN:
        _require(case, action, ACTIVE_STATUSES)
        changes = {"assignee": actor}
    elif action == CaseAction.IN_PROGRESS:
        _require(case, action, (CaseStatus.OPEN,))
        changes = {"status": CaseStatus.IN_PROGRESS, "assignee": case.assignee or actor}
    elif action == CaseAction.RESOLVED:
        _require(case, action, ACTIVE_STATUSES)
        cause = parse_root_cause(root_cause)
        note = _note(note, True, "resolving a case")
        changes = {"status": CaseStatus.RESOLVED, "root_cause": cause, "resolution_note": note,
                   "resolved_at": now, "assignee": case.assignee or actor}
    elif action == CaseAction.REOPENED:
        _require(case, action, (CaseStatus.RESOLVED, CaseStatus.CLOSED))
        note = _note(note, False, "reopening")
        changes = {"status": CaseStatus.OPEN, "root_cause": None, "resolution_note": None,
                   "resolved_at": None, "closed_at": None}
    elif action == CaseAction.CLOSED:
        _require(case, action, (CaseStatus.RESOLVED,))
        changes = {"status": CaseStatus.CLOSED, "closed_at": now}
    elif action == CaseAction.REPLY_SENT:
        if case.reply_sent_at is not None:
            raise CaseError(f"case {case.case_id}: the citizen has already been sent its one reply")
        note = _note(note, True, "a reply to the citizen")
        changes = {"reply_sent_at": now}
    elif action == CaseAction.SURVEY_SENT:
        _require(case, action, (CaseStatus.RESOLVED,))
        if case.survey_sent_at is not None:
            raise CaseError(f"case {case.case_id}: the follow-up survey was already sent")
        changes = {"survey_sent_at": now, "survey_rating": None}
    elif action == CaseAction.SURVEY_ANSWERED:
        if survey_rating not in range(1, 6):
            raise CaseError(f"a survey answer is a rating 1-5, got {survey_rating!r}")
        if case.survey_sent_at is None:
            raise CaseError(f"case {case.case_id}: no follow-up survey was sent")
        if case.survey_rating is not None:
            raise CaseError(f"case {case.case_id}: the follow-up survey was already answered")
        changes = {"survey_rating": survey_rating}
        if survey_rating <= SURVEY_REOPEN_MAX_RATING and case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            changes |= {"status": CaseStatus.OPEN, "root_cause": None, "resolution_note": None,
                        "resolved_at": None, "closed_at": None}
        elif survey_rating > SURVEY_REOPEN_MAX_RATING and case.status == CaseStatus.RESOLVED:
            changes |= {"status": CaseStatus.CLOSED, "closed_at": now}
        note = f"citizen answered {survey_rating}"
    else:
        raise CaseError(f"{action!r} is not an action a case can take")
    after = replace(case, **changes, updated_at=now)
    return after, HistoryEntry(now, actor, action, before, after.status, cause, note)


def opened_entry(case: Case) -> HistoryEntry:
    """The first history entry of every case."""
    return HistoryEntry(case.opened_at, SYSTEM_ACTOR, CaseAction.OPENED, None, case.status, None, case.reason)


class CaseEvent(BaseModel):
    """A record on ``followup.cases`` (JSON, keyed by center_id): one per history entry."""

    model_config = ConfigDict(extra="ignore")

    schema_version: int = 1
    event: CaseAction
    case_id: str
    center_id: str
    feedback_id: str
    status: CaseStatus
    from_status: CaseStatus | None = None
    at: datetime
    actor: str
    root_cause: RootCause | None = None
    opened_at: datetime
    due_at: datetime
    resolution_seconds: float | None = None  # on "resolved": opened_at to resolution

    def to_kafka(self) -> tuple[bytes, bytes]:
        return self.center_id.encode(), self.model_dump_json().encode()


def new_case_id() -> str:
    return f"case-{uuid.uuid4().hex[:16]}"


def new_case(*, feedback_id: str, center_id: str, reason: OpenReason | str, rating: int, channel: str,
             opened_at: float, due: float, comment: str | None = None, service_group: str | None = None,
             sentiment_label: str | None = None, sentiment_score: float | None = None,
             language: str | None = None) -> Case:
    """A case as it opens (status ``open``, no assignee)."""
    return Case(case_id=new_case_id(), center_id=center_id, feedback_id=str(feedback_id), reason=str(reason),
                rating=rating, comment=comment, sentiment_label=sentiment_label, sentiment_score=sentiment_score,
                language=language, service_group=service_group, channel=str(channel), opened_at=opened_at,
                due_at=due, status=CaseStatus.OPEN, updated_at=opened_at)
