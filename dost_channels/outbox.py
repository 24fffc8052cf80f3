"""The invitation outbox: an SMS invitation is stored before it is sent, and sent until it is.

``enqueue_invitation`` writes the invitation (what the web matches replies to) and its
outbox row in one transaction, before the visits.completed event is acknowledged. The
sender (``streams.sms_invitations``) then:
1. claims a due row (``claim_due_invitations``): the claim moves its next attempt into
   the future first, so a sender killed mid-send retries it later, with backoff, and two
   senders never take the same row at once;
2. hands it to the gateway with the visit id as the idempotency key (a gateway that
   honours it, and the dev ``log`` gateway, never deliver one key twice);
3. marks it sent (``mark_outbox_sent``), which also clears the stored phone.

A row that cannot be sent before its invitation expires is marked given up: counted and
logged, never silently dropped. The phone rests only encrypted (``DOST_PHONE_ENCRYPTION_KEY``,
as on visits.completed), and only until it is sent.

A mixin of ``ChannelStore`` (``dost_channels.store``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class OutboxItem:
    visit_id: str
    phone_encrypted: str
    text: str
    attempts: int  # including the one just claimed
    expires_at: float


def backoff_seconds(attempts: int, initial: float, maximum: float) -> float:
    """Seconds before the next try after ``attempts`` tries: initial, 2x, 4x, ... capped."""
    return min(maximum, initial * 2 ** max(0, attempts - 1))


class InvitationOutbox:
    """The ``invitation_outbox`` table, written together with ``invitations``."""

    def enqueue_invitation(self, *, visit_id: str, phone_hash: str, phone_encrypted: str, center_id: str,
                           service_group: str | None, language: str, text: str, valid_seconds: float,
                           now: float | None = None) -> bool:
        """Store the invitation and its outbox row at once; False if this visit already has one."""
        now = time.time() if now is None else now
        with self._transaction() as tx:
            added = tx.write(
                "INSERT INTO invitations (visit_id, phone_hash, center_id, service_group, language, "
                "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (visit_id, phone_hash, center_id, service_group, language, now, now + valid_seconds),
            )
            if added:
                tx.write(
                    "INSERT INTO invitation_outbox (visit_id, phone_encrypted, text, created_at, expires_at, "
                    "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (visit_id, phone_encrypted, text, now, now + valid_seconds, now),
                )
        return bool(added)

    def claim_due_invitations(self, now: float, retry_initial_seconds: float, retry_max_seconds: float,
                              limit: int = 50) -> list[OutboxItem]:
        """Take up to ``limit`` rows due by ``now``; each one's next try is pushed back first."""
        claimed = []
        with self._transaction() as tx:
            # PostgreSQL: rows another sender has locked are skipped, not waited for; the
            # conditional UPDATE below is the guarantee on both backends.
            rows = tx.all(
                "SELECT visit_id, phone_encrypted, text, attempts, expires_at, next_attempt_at "
                "FROM invitation_outbox WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ? "
                "ORDER BY next_attempt_at LIMIT ?" + tx.skip_locked, (now, limit),
            )
            for row in rows:
                attempts = row["attempts"] + 1
                taken = tx.write(
                    "UPDATE invitation_outbox SET attempts = ?, next_attempt_at = ? "
                    "WHERE visit_id = ? AND next_attempt_at = ? AND sent_at IS NULL",
                    (attempts, now + backoff_seconds(attempts, retry_initial_seconds, retry_max_seconds),
                     row["visit_id"], row["next_attempt_at"]),
                )
                if taken:  # another sender may have claimed it between the read and here
                    claimed.append(OutboxItem(row["visit_id"], row["phone_encrypted"], row["text"], attempts,
                                              row["expires_at"]))
        return claimed

    def mark_outbox_sent(self, visit_id: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._transaction() as tx:
            tx.write("UPDATE invitation_outbox SET sent_at = ?, phone_encrypted = NULL, last_error = NULL "
                     "WHERE visit_id = ?", (now, visit_id))
            tx.write("UPDATE invitations SET sent_at = ? WHERE visit_id = ?", (now, visit_id))

    def note_outbox_failure(self, visit_id: str, error: str) -> None:
        self._write("UPDATE invitation_outbox SET last_error = ? WHERE visit_id = ?", (error[:500], visit_id))

    def give_up_invitation(self, visit_id: str, reason: str, now: float | None = None) -> None:
        """Stop trying (expired, opted out, undecryptable): kept, with the reason, never resent."""
        self._write(
            "UPDATE invitation_outbox SET gave_up_at = ?, last_error = ?, phone_encrypted = NULL "
            "WHERE visit_id = ? AND sent_at IS NULL",
            (time.time() if now is None else now, reason, visit_id),
        )

    def outbox_counts(self) -> dict[str, int]:
        """Rows by state: pending, sent, gave_up (for metrics and tests)."""
        row = self._one(
            "SELECT SUM(CASE WHEN sent_at IS NULL AND gave_up_at IS NULL THEN 1 ELSE 0 END) AS pending, "
            "SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END) AS sent, "
            "SUM(CASE WHEN gave_up_at IS NOT NULL THEN 1 ELSE 0 END) AS gave_up FROM invitation_outbox"
        )
        return {name: int(row[name] or 0) for name in ("pending", "sent", "gave_up")}
