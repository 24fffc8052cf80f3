"""The citizen channels' shared state, in the database (``dost_channels.db``).

Who uses it:
- the web: kiosk device tokens, API client keys (``dost_channels.clients``), QR one-time
  tokens, SMS invitations (match a reply, mark it answered), opt-outs, the SMS
  message ids and auto-replies it has handled (``dost_channels.sms_ledger``), and the
  rate-limit buckets every web process shares (``dost_channels.rate_limits``), and each
  tablet's recent presses (``dost_channels.kiosk_presses``);
- the SMS-invitation agent: the invitation outbox (``dost_channels.outbox``), opt-outs,
  and the completed visits the kiosk burst rules compare a tablet's presses with;
- the CLI: ``devices add|list|revoke``, ``clients add|list|revoke`` and ``qr``.

The database is ``DOST_DATABASE_URL`` (PostgreSQL, shared by every node) or, unset, an
embedded SQLite file (WAL: several processes on one node). Every one-time step (a QR
token claimed, an invitation queued or sent, a message id, an auto-reply) is one
conditional statement, so it holds across processes and hosts. Tokens are stored as
SHA-256 hashes and phones only as keyed hashes; see docs/channels.md.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from dost_channels.case_sms import FollowupContacts
from dost_channels.clients import ApiClients
from dost_channels.db.access import Database
from dost_channels.kiosk_presses import KioskPresses
from dost_channels.outbox import InvitationOutbox
from dost_channels.rate_limits import RateLimits
from dost_channels.sms_ledger import SmsLedger
from dost_channels.tokens import hash_token, new_device_token, new_qr_token


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


class ChannelStore(Database, ApiClients, SmsLedger, InvitationOutbox, RateLimits, KioskPresses, FollowupContacts):
    """Thread-safe access to the channel tables; every method is one short transaction.

    ``target`` is a database URL (``DOST_DATABASE_URL``) or an embedded SQLite file's path
    (created and migrated on first open); see ``Settings.channels_database``.
    """

    def __init__(self, target: str | Path) -> None:
        super().__init__(target)  # SQLite: WAL + NORMAL, durable at checkpoints, fast

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
        rows = self._all("SELECT device_id, center_id, label, created_at, revoked_at FROM devices ORDER BY created_at")
        return [Device(**row) for row in rows]

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
        return QrToken(**row) if row else None

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
            "INSERT INTO invitations (visit_id, phone_hash, center_id, service_group, language, "
            "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (visit_id, phone_hash, center_id, service_group, language, now, now + valid_seconds),
        ))

    def invitation(self, visit_id: str) -> Invitation | None:
        row = self._one("SELECT * FROM invitations WHERE visit_id = ?", (visit_id,))
        return Invitation(**row) if row else None

    def mark_invitation_sent(self, visit_id: str, now: float | None = None) -> None:
        self._write("UPDATE invitations SET sent_at = ? WHERE visit_id = ?", (time.time() if now is None else now, visit_id))

    def latest_invitation(self, phone_hash: str) -> Invitation | None:
        """The phone's most recent invitation, open or not."""
        row = self._one(
            "SELECT * FROM invitations WHERE phone_hash = ? AND sent_at IS NOT NULL "
            "ORDER BY created_at DESC LIMIT 1",
            (phone_hash,),
        )
        return Invitation(**row) if row else None

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
        with self._transaction() as tx:
            tx.write("INSERT INTO opt_outs (phone_hash, opted_out_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                     (phone_hash, now))
            tx.write("UPDATE invitations SET expires_at = ? WHERE phone_hash = ? AND answered_at IS NULL "
                     "AND expires_at > ?", (now, phone_hash, now))

    def is_opted_out(self, phone_hash: str) -> bool:
        return self._one("SELECT 1 FROM opt_outs WHERE phone_hash = ?", (phone_hash,)) is not None
