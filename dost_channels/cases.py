"""Follow-up cases in the shared database: opened once per feedback_id, moved with history.

``CaseStore(target)`` (the channel store's database: ``Settings.channels_database``) is
what the case agent, the CLI and the managers' pages use:

- ``open_case``: create-once by ``feedback_id`` (a unique constraint; ``INSERT … ON
  CONFLICT DO NOTHING``), so a re-delivery, a replay or two agents racing open one case;
- ``get``, ``get_by_feedback``, ``list_cases`` (filters; ``centers`` scopes a caller to
  its centers: ``None`` is every center), ``history``;
- the actions (``take``, ``start``, ``resolve``, ``reopen``, ``close_case``, or ``act``): one
  transaction reads the row (``FOR UPDATE`` on PostgreSQL), applies
  ``dost_contract.followup.transition`` and writes the case and its history entry;
- ``counts``: open and overdue cases per center (the gauges);
- ``unpublished`` / ``mark_published``: the history entries not yet relayed to
  ``followup.cases`` (the history is the outbox: whoever acts, web or CLI, only writes the
  database, and the case agent publishes).

Times are Unix seconds, like every store's. A case out of the caller's ``centers`` is
``CaseNotFound``, the same as a missing one.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from dost_channels.db.access import Database, Tx
from dost_contract.followup import (
    ACTIVE_STATUSES,
    Case,
    CaseAction,
    CaseError,
    CaseEvent,
    CaseNotFound,
    CaseStatus,
    HistoryEntry,
    RootCause,
    opened_entry,
    transition,
)

_CASE_COLUMNS = ("case_id", "feedback_id", "center_id", "reason", "rating", "comment", "sentiment_label",
                 "sentiment_score", "language", "service_group", "channel", "opened_at", "due_at", "status",
                 "assignee", "root_cause", "resolution_note", "resolved_at", "closed_at", "updated_at",
                 "reply_sent_at", "survey_sent_at", "survey_rating")
_MUTABLE = _CASE_COLUMNS[_CASE_COLUMNS.index("status"):]
DEFAULT_LIST_LIMIT = 500


@dataclass(frozen=True)
class CaseCounts:
    open: int  # open or in progress
    overdue: int  # of those, past due_at


def _case(row) -> Case:
    values = {name: row[name] for name in _CASE_COLUMNS}
    values["status"] = CaseStatus(values["status"])
    values["root_cause"] = RootCause(values["root_cause"]) if values["root_cause"] else None
    return Case(**values)


def _entry(row) -> HistoryEntry:
    return HistoryEntry(row["at"], row["actor"], CaseAction(row["action"]),
                        CaseStatus(row["from_status"]) if row["from_status"] else None, CaseStatus(row["to_status"]),
                        RootCause(row["root_cause"]) if row["root_cause"] else None, row["note"])


def _value(value):
    return value.value if hasattr(value, "value") else value


def _placeholders(values: Collection) -> str:
    return ", ".join("?" for _ in values)


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else [str(_value(v)) for v in value]


class CaseStore(Database):
    """The ``followup_cases`` and ``followup_case_history`` tables."""

    def __init__(self, target: str | Path, *, synchronous: str = "NORMAL") -> None:
        super().__init__(target, synchronous=synchronous)

    # --- Opening -----------------------------------------------------------------------

    def open_case(self, case: Case) -> tuple[Case, bool]:
        """Store ``case`` unless its ``feedback_id`` already has one: (the stored case, opened now?)."""
        return self.open_cases([case])[0]

    def open_cases(self, cases: list[Case]) -> list[tuple[Case, bool]]:
        """``open_case`` for each, in one transaction (the agent's batches)."""
        results = []
        with self._transaction() as tx:
            for case in cases:
                inserted = tx.write(
                    f"INSERT INTO followup_cases ({', '.join(_CASE_COLUMNS)}) VALUES ({_placeholders(_CASE_COLUMNS)}) "
                    "ON CONFLICT (feedback_id) DO NOTHING",
                    [_value(getattr(case, name)) for name in _CASE_COLUMNS],
                )
                if inserted:
                    self._add_entry(tx, case.case_id, opened_entry(case))
                    results.append((case, True))
                else:
                    row = tx.one("SELECT * FROM followup_cases WHERE feedback_id = ?", (case.feedback_id,))
                    results.append((_case(row), False))
        return results

    def note_sentiment(self, feedback_id: str, label: str, score: float | None, language: str | None) -> bool:
        """Add a comment's sentiment (``feedback.scored``) to the case of ``feedback_id``, if it has one."""
        return self.note_sentiments([(feedback_id, label, score, language)])[0]

    def note_sentiments(self, scores: list[tuple[str, str, float | None, str | None]]) -> list[bool]:
        """``note_sentiment`` for each (feedback_id, label, score, language), in one transaction."""
        with self._transaction() as tx:
            return [bool(tx.write(
                "UPDATE followup_cases SET sentiment_label = ?, sentiment_score = ?, language = ? WHERE feedback_id = ?",
                (label, score, language, str(feedback_id)),
            )) for feedback_id, label, score, language in scores]

    # --- Reading -----------------------------------------------------------------------

    def get(self, case_id: str, centers: Collection[str] | None = None) -> Case:
        """The case, or ``CaseNotFound`` (also when it is not in ``centers``)."""
        row = self._one("SELECT * FROM followup_cases WHERE case_id = ?", (case_id,))
        if row is None or (centers is not None and row["center_id"] not in centers):
            raise CaseNotFound(f"no case {case_id!r}")
        return _case(row)

    def get_by_feedback(self, feedback_id: str) -> Case | None:
        row = self._one("SELECT * FROM followup_cases WHERE feedback_id = ?", (str(feedback_id),))
        return None if row is None else _case(row)

    def list_cases(self, *, centers: Collection[str] | None = None, status: str | Iterable[str] | None = None,
                   service_group: str | Iterable[str] | None = None, root_cause: str | Iterable[str] | None = None,
                   overdue_at: float | None = None, limit: int = DEFAULT_LIST_LIMIT) -> list[Case]:
        """Cases by deadline (soonest first). ``centers``: only these (None: all); ``status``,
        ``service_group``, ``root_cause``: one value or several; ``overdue_at``: only the cases
        overdue at that time."""
        where, params = [], []
        for column, values in (("center_id", None if centers is None else list(centers)),
                               ("status", _as_list(status)), ("service_group", _as_list(service_group)),
                               ("root_cause", _as_list(root_cause))):
            if values is not None:
                if not values:
                    return []
                where.append(f"{column} IN ({_placeholders(values)})")
                params += values
        if status is not None:
            bad = [s for s in _as_list(status) if s not in {c.value for c in CaseStatus}]
            if bad:
                raise CaseError(f"unknown status {bad[0]!r}; one of {', '.join(s.value for s in CaseStatus)}")
        if overdue_at is not None:
            where.append(f"status IN ({_placeholders(ACTIVE_STATUSES)}) AND due_at <= ?")
            params += [s.value for s in ACTIVE_STATUSES] + [overdue_at]
        sql = "SELECT * FROM followup_cases"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY due_at, opened_at, case_id LIMIT ?"
        return [_case(row) for row in self._all(sql, (*params, int(limit)))]

    def history(self, case_id: str) -> list[HistoryEntry]:
        """The case's audit trail, oldest first."""
        rows = self._all("SELECT * FROM followup_case_history WHERE case_id = ? ORDER BY id", (case_id,))
        return [_entry(row) for row in rows]

    def counts(self, now: float | None = None) -> dict[str, CaseCounts]:
        """Open (or in progress) and overdue cases per center that has any."""
        now = time.time() if now is None else now
        rows = self._all(
            "SELECT center_id, COUNT(*) AS open_cases, SUM(CASE WHEN due_at <= ? THEN 1 ELSE 0 END) AS overdue "
            f"FROM followup_cases WHERE status IN ({_placeholders(ACTIVE_STATUSES)}) GROUP BY center_id",
            (now, *[s.value for s in ACTIVE_STATUSES]),
        )
        return {row["center_id"]: CaseCounts(int(row["open_cases"]), int(row["overdue"] or 0)) for row in rows}

    # --- Actions -----------------------------------------------------------------------

    def act(self, case_id: str, action: CaseAction | str, actor: str, *, root_cause: str | None = None,
            note: str | None = None, survey_rating: int | None = None, centers: Collection[str] | None = None,
            now: float | None = None) -> Case:
        """Do ``action`` on the case as ``actor``; the changed case. ``CaseError`` if not allowed."""
        try:
            action = CaseAction(action)
        except ValueError:
            raise CaseError(f"unknown action {action!r}") from None
        if action == CaseAction.OPENED:
            raise CaseError("cases are opened by the case agent, not by an action")
        now = time.time() if now is None else now
        with self._transaction() as tx:
            row = tx.one(f"SELECT * FROM followup_cases WHERE case_id = ?{tx.for_update}", (case_id,))
            if row is None or (centers is not None and row["center_id"] not in centers):
                raise CaseNotFound(f"no case {case_id!r}")
            after, entry = transition(_case(row), action, actor, now, root_cause=root_cause, note=note,
                                      survey_rating=survey_rating)
            tx.write(f"UPDATE followup_cases SET {', '.join(f'{c} = ?' for c in _MUTABLE)} WHERE case_id = ?",
                     [_value(getattr(after, c)) for c in _MUTABLE] + [case_id])
            self._add_entry(tx, case_id, entry)
        return after

    def take(self, case_id: str, actor: str, **kwargs) -> Case:
        return self.act(case_id, CaseAction.TAKEN, actor, **kwargs)

    def start(self, case_id: str, actor: str, **kwargs) -> Case:
        """Mark it in progress."""
        return self.act(case_id, CaseAction.IN_PROGRESS, actor, **kwargs)

    def resolve(self, case_id: str, actor: str, root_cause: str, note: str, **kwargs) -> Case:
        return self.act(case_id, CaseAction.RESOLVED, actor, root_cause=root_cause, note=note, **kwargs)

    def reopen(self, case_id: str, actor: str, note: str | None = None, **kwargs) -> Case:
        return self.act(case_id, CaseAction.REOPENED, actor, note=note, **kwargs)

    def close_case(self, case_id: str, actor: str, **kwargs) -> Case:
        """Close a resolved case (``close()`` is the store's own: it disposes of the engine)."""
        return self.act(case_id, CaseAction.CLOSED, actor, **kwargs)

    # --- The relay to followup.cases ---------------------------------------------------

    def unpublished(self, limit: int = 500) -> list[tuple[int, CaseEvent]]:
        """History entries not yet on ``followup.cases``, oldest first, as (entry id, event)."""
        rows = self._all(
            "SELECT h.id, h.at, h.actor, h.action, h.from_status, h.to_status, h.root_cause, "
            "c.case_id, c.center_id, c.feedback_id, c.opened_at, c.due_at FROM followup_case_history h "
            "JOIN followup_cases c ON c.case_id = h.case_id WHERE h.published_at IS NULL ORDER BY h.id LIMIT ?",
            (int(limit),),
        )
        return [(row["id"], _event(row)) for row in rows]

    def mark_published(self, entry_ids: Collection[int], now: float | None = None) -> int:
        if not entry_ids:
            return 0
        return self._write(
            f"UPDATE followup_case_history SET published_at = ? WHERE id IN ({_placeholders(entry_ids)})",
            (time.time() if now is None else now, *entry_ids),
        )

    @staticmethod
    def _add_entry(tx: Tx, case_id: str, entry: HistoryEntry) -> None:
        tx.write(
            "INSERT INTO followup_case_history (case_id, at, actor, action, from_status, to_status, root_cause, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (case_id, entry.at, entry.actor, entry.action.value, _value(entry.from_status), entry.to_status.value,
             _value(entry.root_cause), entry.note),
        )


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def _event(row) -> CaseEvent:
    action = CaseAction(row["action"])
    return CaseEvent(
        event=action, case_id=row["case_id"], center_id=row["center_id"], feedback_id=row["feedback_id"],
        status=CaseStatus(row["to_status"]), from_status=CaseStatus(row["from_status"]) if row["from_status"] else None,
        at=_utc(row["at"]), actor=row["actor"], root_cause=RootCause(row["root_cause"]) if row["root_cause"] else None,
        opened_at=_utc(row["opened_at"]), due_at=_utc(row["due_at"]),
        resolution_seconds=max(0.0, row["at"] - row["opened_at"]) if action == CaseAction.RESOLVED else None,
    )
