"""Retention: delete what is past its keeping time (docs/operations.md#retention).

``RetentionPolicy.cutoffs(now)`` is the pure part: the moment before which each kind of
record goes. ``run_retention(settings)`` applies it, one short transaction per table:

- channel store (``DOST_DATABASE_URL``, else ``DOST_CHANNELS_DB_FILE``): ``invitations`` created before the invitation
  cutoff (they hold the phone hashes; 90 days), ``qr_tokens`` that expired before the QR
  cutoff (7 days after expiry). Opt-outs are kept: deleting one would invite again someone
  who asked us to stop.
- on-call outbox (``DOST_DATABASE_URL``, else ``DOST_ONCALL_DB_FILE``): notifications received before the outbox cutoff
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
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, inspect, text

from dost_channels.db.engine import create_database_engine, database_url

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


def _engine(target: str | Path) -> Engine | None:
    """An engine on the database, or None for an embedded SQLite file not created yet."""
    if not isinstance(target, str) and not Path(target).exists():
        return None
    return create_database_engine(database_url(target))


def purge_channel_store(target: str | Path, cutoffs: Cutoffs, report: RetentionReport) -> None:
    engine = _engine(target)
    if engine is None:
        return
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.begin() as db:
            if "invitations" in tables:
                report.invitations += db.execute(text("DELETE FROM invitations WHERE created_at < :cutoff"),
                                                 {"cutoff": cutoffs.invitations_created_before}).rowcount
            if "qr_tokens" in tables:
                report.qr_tokens += db.execute(text("DELETE FROM qr_tokens WHERE expires_at < :cutoff"),
                                               {"cutoff": cutoffs.qr_tokens_expired_before}).rowcount
    finally:
        engine.dispose()


_EXPIRED_NOTIFICATIONS = (
    "SELECT id FROM notifications n WHERE received_at < :cutoff AND NOT EXISTS "
    "(SELECT 1 FROM deliveries d WHERE d.notification_id = n.id AND d.state = 'pending')"
)


def purge_oncall_outbox(target: str | Path, cutoffs: Cutoffs, report: RetentionReport) -> None:
    engine = _engine(target)
    if engine is None:
        return
    try:
        if not {"notifications", "deliveries"} <= set(inspect(engine).get_table_names()):
            return
        with engine.begin() as db:
            cutoff = {"cutoff": cutoffs.outbox_before}
            ids = [row[0] for row in db.execute(text(_EXPIRED_NOTIFICATIONS), cutoff)]
            for start in range(0, len(ids), 500):
                chunk = {"ids": ids[start:start + 500]}
                report.oncall_deliveries += db.execute(
                    text("DELETE FROM deliveries WHERE notification_id IN :ids").bindparams(
                        bindparam("ids", expanding=True)), chunk).rowcount
                report.oncall_notifications += db.execute(
                    text("DELETE FROM notifications WHERE id IN :ids").bindparams(
                        bindparam("ids", expanding=True)), chunk).rowcount
    finally:
        engine.dispose()


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
    purge_channel_store(settings.channels_database, cutoffs, report)
    purge_oncall_outbox(settings.oncall_database, cutoffs, report)
    report.alert_journal_lines = trim_jsonl(settings.receiver_log_file, "received_at", cutoffs.outbox_before)
    report.sms_outbox_lines = trim_jsonl(settings.sms_outbox_path, "at", cutoffs.outbox_before)
    return report
