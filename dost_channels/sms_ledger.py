"""What the SMS webhook remembers so a replayed request costs nothing.

- ``sms_messages``: each gateway message id is processed once. The web claims the id
  before it acts; a second request with that id (a gateway retry, a captured request
  replayed) finds the claim and is answered ``duplicate``. A claim whose processing
  failed (the broker was down) is released, so the gateway's retry is processed.
- ``sms_auto_replies``: the courtesy auto-replies ("opted out", "closed", "help") go to
  a phone at most once per UTC day, so a citizen's auto-responder cannot make a loop.

A mixin of ``ChannelStore`` (``dost_channels.store``).
"""

from __future__ import annotations

import time


def utc_day(epoch: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


class SmsLedger:
    """The ``sms_messages`` and ``sms_auto_replies`` tables."""

    def claim_sms_message(self, message_id: str, now: float | None = None) -> bool:
        """True the first time ``message_id`` is seen (until released); False for a replay."""
        return bool(self._write(
            "INSERT INTO sms_messages (message_id, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (message_id, time.time() if now is None else now),
        ))

    def finish_sms_message(self, message_id: str, outcome: str) -> None:
        self._write("UPDATE sms_messages SET outcome = ? WHERE message_id = ?", (outcome, message_id))

    def release_sms_message(self, message_id: str) -> None:
        """Forget a claim whose processing failed, so the gateway's retry is processed."""
        self._write("DELETE FROM sms_messages WHERE message_id = ?", (message_id,))

    def sms_message_outcome(self, message_id: str) -> str | None:
        row = self._one("SELECT outcome FROM sms_messages WHERE message_id = ?", (message_id,))
        return row["outcome"] if row else None

    def prune_sms_ledger(self, message_ids_older_than: float, replies_older_than: float) -> None:
        """Forget old message ids (their invitations closed long ago) and past days' auto-replies."""
        with self._transaction() as tx:
            tx.write("DELETE FROM sms_messages WHERE received_at < ?", (message_ids_older_than,))
            tx.write("DELETE FROM sms_auto_replies WHERE sent_at < ?", (replies_older_than,))

    def claim_auto_reply(self, phone_hash: str, purpose: str, now: float | None = None) -> bool:
        """True if this phone has had no auto-reply today (UTC); the claim uses up today's."""
        now = time.time() if now is None else now
        return bool(self._write(
            "INSERT INTO sms_auto_replies (phone_hash, day, purpose, sent_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (phone_hash, utc_day(now), purpose, now),
        ))
