"""Retention: delete what is past its keeping time (docs/operations.md#retention).

``RetentionPolicy.cutoffs(now)`` is the pure part: the moment before which each kind of
record goes. ``run_retention(settings)`` applies it, one short transaction per table:

- channel store (``DOST_CHANNELS_DB_FILE``): ``invitations`` created before the invitation
  cutoff (they hold the phone hashes; 90 days), ``qr_tokens`` that expired before the QR
  cutoff (7 days after expiry). Opt-outs are kept: deleting one would invite again someone
  who asked us to stop.
- on-call outbox (``DOST_ONCALL_DB_FILE``): notifications received before the outbox cutoff
  (30 days) whose deliveries are all finished (sent or failed), with those deliveries; a
  delivery still pending is never dropped.
- JSON-lines files, trimmed to the outbox cutoff: the receiver's alert journal
  (``received_at``) and the dev SMS outbox (``at``).

It issues plain DELETEs against the tables the stores create; it never creates them, so it
is safe to run before a service has started (nothing to delete yet).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

DAY_SECONDS = 86400.0


@dataclass(frozen=True)
class Cutoffs:
    """Unix times: records older than these go."""

    invitations_created_before: float
    qr_tokens_expired_before: float
    outbox_before: float


@dataclass(frozen=True)
class RetentionPolicy:
    invitations_days: float
    qr_tokens_days: float
    outbox_days: float

    @classmethod
    def from_settings(cls, settings: Any) -> RetentionPolicy:
        return cls(settings.retention_invitations_days, settings.retention_qr_tokens_days,
                   settings.retention_outbox_days)

    def cutoffs(self, now: float) -> Cutoffs:
        return Cutoffs(
            invitations_created_before=now - self.invitations_days * DAY_SECONDS,
            qr_tokens_expired_before=now - self.qr_tokens_days * DAY_SECONDS,
            outbox_before=now - self.outbox_days * DAY_SECONDS,
        )


@dataclass
class RetentionReport:
    """How many records of each kind were deleted."""

    invitations: int = 0
    qr_tokens: int = 0
    oncall_notifications: int = 0
    oncall_deliveries: int = 0
    alert_journal_lines: int = 0
    sms_outbox_lines: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _connect(path: Path) -> sqlite3.Connection | None:
    if not path.exists():
        return None
    db = sqlite3.connect(path, timeout=10, isolation_level=None)
    db.execute("PRAGMA busy_timeout=10000")
    return db


def _has_table(db: sqlite3.Connection, table: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone() is not None


def purge_channel_store(path: Path, cutoffs: Cutoffs, report: RetentionReport) -> None:
    db = _connect(path)
    if db is None:
        return
    try:
        with db:
            db.execute("BEGIN IMMEDIATE")
            if _has_table(db, "invitations"):
                report.invitations += db.execute(
                    "DELETE FROM invitations WHERE created_at < ?", (cutoffs.invitations_created_before,)).rowcount
            if _has_table(db, "qr_tokens"):
                report.qr_tokens += db.execute(
                    "DELETE FROM qr_tokens WHERE expires_at < ?", (cutoffs.qr_tokens_expired_before,)).rowcount
    finally:
        db.close()


def purge_oncall_outbox(path: Path, cutoffs: Cutoffs, report: RetentionReport) -> None:
    db = _connect(path)
    if db is None:
        return
    try:
        if not (_has_table(db, "notifications") and _has_table(db, "deliveries")):
            return
        with db:
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "CREATE TEMP TABLE expired AS SELECT id FROM notifications n WHERE received_at < ? AND NOT EXISTS "
                "(SELECT 1 FROM deliveries d WHERE d.notification_id = n.id AND d.state = 'pending')",
                (cutoffs.outbox_before,),
            )
            report.oncall_deliveries += db.execute(
                "DELETE FROM deliveries WHERE notification_id IN (SELECT id FROM expired)").rowcount
            report.oncall_notifications += db.execute(
                "DELETE FROM notifications WHERE id IN (SELECT id FROM expired)").rowcount
            db.execute("DROP TABLE expired")
    finally:
        db.close()


def _line_time(line: str, field: str) -> float | None:
    try:
        value = json.loads(line)[field]
    except (ValueError, KeyError, TypeError):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def trim_jsonl(path: Path, field: str, before: float) -> int:
    """Drop the lines whose ``field`` (Unix time or ISO-8601) is before ``before``; lines
    without a readable time are kept. The file is replaced atomically. Returns lines dropped."""
    if not path.exists():
        return 0
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if (_line_time(line, field) or before) >= before]
    dropped = len(lines) - len(kept)
    if dropped:
        temporary = path.with_name(f".{path.name}.retention")
        temporary.write_text("".join(kept), encoding="utf-8")
        os.replace(temporary, path)
    return dropped


def run_retention(settings: Any, now: float | None = None) -> RetentionReport:
    """Delete everything past retention under ``settings``; what was deleted."""
    cutoffs = RetentionPolicy.from_settings(settings).cutoffs(time.time() if now is None else now)
    report = RetentionReport()
    purge_channel_store(settings.channels_db_path, cutoffs, report)
    purge_oncall_outbox(settings.oncall_db_path, cutoffs, report)
    report.alert_journal_lines = trim_jsonl(settings.receiver_log_file, "received_at", cutoffs.outbox_before)
    report.sms_outbox_lines = trim_jsonl(settings.sms_outbox_path, "at", cutoffs.outbox_before)
    return report
