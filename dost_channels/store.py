"""The citizen channels' shared state, in one SQLite file (WAL mode).

Who uses it:
- the web: kiosk device tokens, API client keys (``dost_channels.clients``), QR one-time
  tokens, SMS invitations (match a reply, mark it answered), opt-outs, the SMS
  message ids and auto-replies it has handled (``dost_channels.sms_ledger``), and the
  rate-limit buckets every web process shares (``dost_channels.rate_limits``), and each
  tablet's recent presses (``dost_channels.kiosk_presses``);
- the SMS-invitation agent: the invitation outbox (``dost_channels.outbox``), opt-outs,
  and the completed visits the kiosk burst rules compare a tablet's presses with;
- the CLI: ``devices add|list|revoke``, ``clients add|list|revoke`` and ``qr``.

WAL lets these processes read and write the file at the same time on one node. Tokens
are stored as SHA-256 hashes and phones only as keyed hashes. For several web nodes
this store is replaced by a shared database; see docs/channels.md.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from dost_channels.clients import CLIENTS_SCHEMA, ApiClients
from dost_channels.kiosk_presses import KIOSK_PRESSES_SCHEMA, KioskPresses
from dost_channels.outbox import OUTBOX_SCHEMA, InvitationOutbox
from dost_channels.rate_limits import RATE_LIMITS_SCHEMA, RateLimits
from dost_channels.sms_ledger import SMS_LEDGER_SCHEMA, SmsLedger
from dost_channels.tokens import hash_token, new_device_token, new_qr_token

SCHEMA = """
CREATE TABLE IF NOT EXISTS devices (
    device_id   TEXT PRIMARY KEY,
    center_id   TEXT NOT NULL,
    label       TEXT NOT NULL DEFAULT '',
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  REAL NOT NULL,
    revoked_at  REAL
);
CREATE TABLE IF NOT EXISTS qr_tokens (
    token_hash    TEXT PRIMARY KEY,
    center_id     TEXT NOT NULL,
    service_group TEXT,
    created_at    REAL NOT NULL,
    expires_at    REAL NOT NULL,
    used_at       REAL,
    feedback_id   TEXT
);
CREATE TABLE IF NOT EXISTS invitations (
    visit_id      TEXT PRIMARY KEY,
    phone_hash    TEXT NOT NULL,
    center_id     TEXT NOT NULL,
    service_group TEXT,
    language      TEXT NOT NULL,
    created_at    REAL NOT NULL,
    expires_at    REAL NOT NULL,
    sent_at       REAL,
    help_sent_at  REAL,
    answered_at   REAL,
    feedback_id   TEXT
);
CREATE INDEX IF NOT EXISTS invitations_by_phone ON invitations (phone_hash, created_at);
CREATE TABLE IF NOT EXISTS opt_outs (
    phone_hash    TEXT PRIMARY KEY,
    opted_out_at  REAL NOT NULL
);
"""


class DeviceCheck(StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    WRONG_CENTER = "wrong_center"


class QrState(StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Device:
    device_id: str
    center_id: str
    label: str
    created_at: float
    revoked_at: float | None


@dataclass(frozen=True)
class QrToken:
    center_id: str
    service_group: str | None
    expires_at: float
    used_at: float | None
    feedback_id: str | None

    def state(self, now: float) -> QrState:
        if self.used_at is not None:
            return QrState.USED
        return QrState.EXPIRED if now >= self.expires_at else QrState.VALID


@dataclass(frozen=True)
class Invitation:
    visit_id: str
    phone_hash: str
    center_id: str
    service_group: str | None
    language: str
    created_at: float
    expires_at: float
    sent_at: float | None
    help_sent_at: float | None
    answered_at: float | None
    feedback_id: str | None

    def is_open(self, now: float) -> bool:
        return self.answered_at is None and now < self.expires_at


class ChannelStore(ApiClients, SmsLedger, InvitationOutbox, RateLimits, KioskPresses):
    """Thread-safe access to the SQLite file; every method is one short transaction."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints, fast
        self._db.execute("PRAGMA busy_timeout=10000")
        with self._lock:
            self._db.executescript(SCHEMA + CLIENTS_SCHEMA + SMS_LEDGER_SCHEMA + OUTBOX_SCHEMA + RATE_LIMITS_SCHEMA
                                  + KIOSK_PRESSES_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _one(self, sql: str, params: tuple = ()) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(sql, params).fetchone()

    def _write(self, sql: str, params: tuple = ()) -> int:
        with self._lock:
            return self._db.execute(sql, params).rowcount

    # --- Kiosk devices -----------------------------------------------------------------

    def add_device(self, center_id: str, label: str = "", now: float | None = None) -> tuple[Device, str]:
        """Register a tablet for a center; returns the device and its token (shown only once)."""
        token = new_device_token()
        device = Device(f"dev-{uuid.uuid4().hex[:12]}", center_id, label, time.time() if now is None else now, None)
        self._write(
            "INSERT INTO devices (device_id, center_id, label, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
            (device.device_id, center_id, label, hash_token(token), device.created_at),
        )
        return device, token

    def devices(self) -> list[Device]:
        with self._lock:
            rows = self._db.execute(
                "SELECT device_id, center_id, label, created_at, revoked_at FROM devices ORDER BY created_at"
            ).fetchall()
        return [Device(**dict(row)) for row in rows]

    def revoke_device(self, device_id: str, now: float | None = None) -> bool:
        """True if the device existed and was active."""
        return bool(self._write(
            "UPDATE devices SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL",
            (time.time() if now is None else now, device_id),
        ))

    def check_device(self, token: str, center_id: str) -> tuple[DeviceCheck, str | None]:
        """Whether ``token`` may submit for ``center_id``; also returns the device id."""
        row = self._one("SELECT device_id, center_id, revoked_at FROM devices WHERE token_hash = ?", (hash_token(token),))
        if row is None:
            return DeviceCheck.UNKNOWN, None
        if row["revoked_at"] is not None:
            return DeviceCheck.REVOKED, row["device_id"]
        if row["center_id"] != center_id:
            return DeviceCheck.WRONG_CENTER, row["device_id"]
        return DeviceCheck.OK, row["device_id"]

    # --- QR one-time tokens ------------------------------------------------------------

    def issue_qr_token(self, center_id: str, service_group: str | None, ttl_seconds: float,
                       now: float | None = None) -> str:
        token = new_qr_token()
        now = time.time() if now is None else now
        self._write(
            "INSERT INTO qr_tokens (token_hash, center_id, service_group, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            (hash_token(token), center_id, service_group, now, now + ttl_seconds),
        )
        return token

    def qr_token(self, token: str) -> QrToken | None:
        row = self._one(
            "SELECT center_id, service_group, expires_at, used_at, feedback_id FROM qr_tokens WHERE token_hash = ?",
            (hash_token(token),),
        )
        return QrToken(**dict(row)) if row else None

    def claim_qr_token(self, token: str, feedback_id: str, now: float | None = None) -> bool:
        """Mark the token used by ``feedback_id``, atomically; False if used or expired.

        A used token never submits again, not even with the same feedback_id: a replayed
        request would otherwise be re-stamped and published again. (A client whose answer
        was lost sees "already used"; its rating was recorded.)
        """
        now = time.time() if now is None else now
        return bool(self._write(
            "UPDATE qr_tokens SET used_at = ?, feedback_id = ? "
            "WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
            (now, feedback_id, hash_token(token), now),
        ))

    def release_qr_token(self, token: str, feedback_id: str) -> None:
        """Undo a claim whose publish failed, so the citizen can try again."""
        self._write(
            "UPDATE qr_tokens SET used_at = NULL, feedback_id = NULL WHERE token_hash = ? AND feedback_id = ?",
            (hash_token(token), feedback_id),
        )

    # --- SMS invitations and opt-outs ------------------------------------------------

    def record_invitation(self, visit_id: str, phone_hash: str, center_id: str, service_group: str | None,
                          language: str, valid_seconds: float, now: float | None = None) -> bool:
        """Record the invitation for a visit; False if that visit already has one."""
        now = time.time() if now is None else now
        return bool(self._write(
            "INSERT OR IGNORE INTO invitations (visit_id, phone_hash, center_id, service_group, language, "
            "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (visit_id, phone_hash, center_id, service_group, language, now, now + valid_seconds),
        ))

    def invitation(self, visit_id: str) -> Invitation | None:
        row = self._one("SELECT * FROM invitations WHERE visit_id = ?", (visit_id,))
        return Invitation(**dict(row)) if row else None

    def mark_invitation_sent(self, visit_id: str, now: float | None = None) -> None:
        self._write("UPDATE invitations SET sent_at = ? WHERE visit_id = ?", (time.time() if now is None else now, visit_id))

    def latest_invitation(self, phone_hash: str) -> Invitation | None:
        """The phone's most recent invitation, open or not."""
        row = self._one(
            "SELECT * FROM invitations WHERE phone_hash = ? AND sent_at IS NOT NULL "
            "ORDER BY created_at DESC LIMIT 1",
            (phone_hash,),
        )
        return Invitation(**dict(row)) if row else None

    def mark_help_sent(self, visit_id: str, now: float | None = None) -> bool:
        """True the first time only: a reply without a rating gets one help SMS."""
        return bool(self._write(
            "UPDATE invitations SET help_sent_at = ? WHERE visit_id = ? AND help_sent_at IS NULL",
            (time.time() if now is None else now, visit_id),
        ))

    def mark_answered(self, visit_id: str, feedback_id: str, now: float | None = None) -> None:
        self._write(
            "UPDATE invitations SET answered_at = ?, feedback_id = ? WHERE visit_id = ? AND answered_at IS NULL",
            (time.time() if now is None else now, feedback_id, visit_id),
        )

    def opt_out(self, phone_hash: str, now: float | None = None) -> None:
        """No more invitations for this phone; its open invitations close too."""
        now = time.time() if now is None else now
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT OR IGNORE INTO opt_outs (phone_hash, opted_out_at) VALUES (?, ?)", (phone_hash, now)
                )
                self._db.execute(
                    "UPDATE invitations SET expires_at = MIN(expires_at, ?) WHERE phone_hash = ? AND answered_at IS NULL",
                    (now, phone_hash),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def is_opted_out(self, phone_hash: str) -> bool:
        return self._one("SELECT 1 FROM opt_outs WHERE phone_hash = ?", (phone_hash,)) is not None
