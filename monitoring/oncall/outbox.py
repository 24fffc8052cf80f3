"""The receiver's durable outbox and sent log, in the database (``dost_channels.db``).

The tables (``notifications``, ``deliveries``) are in ``dost_channels.db.schema``: in
``DOST_DATABASE_URL`` when set, else an embedded SQLite file in the state dir (WAL,
``synchronous=FULL``: committed means on disk before the receiver answers).

A notification and one delivery row per channel are committed together before the
receiver answers Alertmanager; delivery rows then move ``pending`` -> ``sent`` or, after
the last attempt, ``failed``. Nothing is deleted: the rows are the log of what was sent.
Several receivers may share the outbox: ``claim_due`` leases a row (a conditional
UPDATE of its next attempt), so two dispatchers never send the same delivery at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from dost_channels.db.access import Database

STATES = ("pending", "sent", "failed")
_DUE_SQL = (
    "SELECT d.id, d.notification_id, d.channel, d.channel_type, d.channel_config, d.attempts, d.next_attempt_at,"
    " n.severity, n.payload FROM deliveries d JOIN notifications n ON n.id = d.notification_id"
    " WHERE d.state = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?"
)
_DUE_SKIP_LOCKED = " FOR UPDATE OF d SKIP LOCKED"  # PostgreSQL: rows another dispatcher is claiming


@dataclass(frozen=True)
class PendingDelivery:
    id: int
    notification_id: int
    channel: str
    channel_type: str
    channel_config: dict
    attempts: int
    severity: str
    payload: str


@dataclass(frozen=True)
class LogEntry:
    delivery_id: int
    notification_id: int
    received_at: float
    severity: str
    region: str | None
    status: str
    summary: str
    channel: str
    channel_type: str
    state: str
    attempts: int
    next_attempt_at: float | None
    last_error: str | None
    updated_at: float


@dataclass(frozen=True)
class NewChannel:
    name: str
    type: str
    config: dict


class Outbox(Database):
    """``target``: a database URL or an embedded SQLite file (``Settings.oncall_database``)."""

    def __init__(self, target: str | Path) -> None:
        super().__init__(target, synchronous="FULL")  # committed means on disk before the 200

    def persist(
        self,
        *,
        received_at: float,
        receiver: str,
        status: str,
        severity: str,
        region: str | None,
        summary: str,
        payload: str,
        channels: list[NewChannel],
    ) -> int:
        """Store a notification with one pending delivery per channel, in one transaction."""
        with self._transaction() as tx:
            notification_id = tx.execute(
                "INSERT INTO notifications (received_at, receiver, status, severity, region, summary, payload)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (received_at, receiver, status, severity, region, summary, payload),
            ).scalar_one()
            for c in channels:
                tx.write(
                    "INSERT INTO deliveries (notification_id, channel, channel_type, channel_config, state,"
                    " attempts, next_attempt_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)",
                    (notification_id, c.name, c.type, json.dumps(c.config), received_at, received_at),
                )
        return int(notification_id)

    def due(self, now: float, exclude: set[int] = frozenset(), limit: int = 100) -> list[PendingDelivery]:
        """The pending deliveries due by ``now`` (read only: ``claim_due`` takes them)."""
        rows = self._all(_DUE_SQL, (now, limit + len(exclude)))
        return [_pending(row) for row in rows if row["id"] not in exclude][:limit]

    def claim_due(self, now: float, lease_seconds: float, exclude: set[int] = frozenset(),
                  limit: int = 100) -> list[PendingDelivery]:
        """Take the due deliveries: each one's next attempt moves ``lease_seconds`` on first,
        conditionally, so another dispatcher sharing the outbox skips it (a dispatcher that
        dies mid-send leaves it to be retried when the lease ends)."""
        claimed = []
        with self._transaction() as tx:
            rows = tx.all(_DUE_SQL + (_DUE_SKIP_LOCKED if tx.skip_locked else ""), (now, limit + len(exclude)))
            for row in rows:
                if row["id"] in exclude or len(claimed) >= limit:
                    continue
                if tx.write("UPDATE deliveries SET next_attempt_at = ? WHERE id = ? AND state = 'pending'"
                            " AND next_attempt_at = ?", (now + lease_seconds, row["id"], row["next_attempt_at"])):
                    claimed.append(_pending(row))
        return claimed

    def next_due_at(self, exclude: set[int] = frozenset()) -> float | None:
        """When the next pending delivery (not in ``exclude``, e.g. in flight) is due."""
        rows = self._all(
            "SELECT id, next_attempt_at FROM deliveries WHERE state = 'pending' ORDER BY next_attempt_at LIMIT ?",
            (len(exclude) + 1,),
        )
        return next((row["next_attempt_at"] for row in rows if row["id"] not in exclude), None)

    def _update(self, delivery_id: int, state: str, attempts: int, next_at: float | None, error: str | None,
                now: float) -> None:
        self._write(
            "UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ?"
            " WHERE id = ?",
            (state, attempts, next_at, error, now, delivery_id),
        )

    def mark_sent(self, delivery_id: int, attempts: int, now: float) -> None:
        self._update(delivery_id, "sent", attempts, None, None, now)

    def mark_retry(self, delivery_id: int, attempts: int, next_at: float, error: str, now: float) -> None:
        self._update(delivery_id, "pending", attempts, next_at, error, now)

    def mark_failed(self, delivery_id: int, attempts: int, error: str, now: float) -> None:
        self._update(delivery_id, "failed", attempts, None, error, now)

    def requeue_failed(self, delivery_ids: list[int] | None, now: float) -> list[int]:
        """Give failed deliveries (``None``: every failed one) a fresh retry schedule, due now.

        Returns the ids requeued; ids that are not failed (sent, pending, unknown) are left
        alone, so a retry never sends twice what already went out.
        """
        with self._transaction() as tx:
            if delivery_ids is None:
                rows = tx.all("SELECT id FROM deliveries WHERE state = 'failed' ORDER BY id" + tx.for_update)
            else:
                marks = ",".join("?" * len(delivery_ids))
                rows = tx.all(
                    f"SELECT id FROM deliveries WHERE state = 'failed' AND id IN ({marks}) ORDER BY id" + tx.for_update,
                    [int(i) for i in delivery_ids],
                ) if delivery_ids else []
            ids = [int(row["id"]) for row in rows]
            for delivery_id in ids:
                tx.write("UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?"
                         " WHERE id = ? AND state = 'failed'", (now, now, delivery_id))
        return ids

    def counts(self) -> dict[str, int]:
        """Deliveries per state (every state present, 0 when none)."""
        rows = {row["state"]: row["n"]
                for row in self._all("SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state")}
        return {state: int(rows.get(state, 0)) for state in STATES}

    def log(self, state: str | None = None, limit: int = 50) -> list[LogEntry]:
        """The newest deliveries (optionally in one state), newest first."""
        where, params = ("WHERE d.state = ?", [state]) if state else ("", [])
        rows = self._all(
            "SELECT d.id AS delivery_id, n.id AS notification_id, n.received_at, n.severity, n.region, n.status,"
            " n.summary, d.channel, d.channel_type, d.state, d.attempts, d.next_attempt_at, d.last_error, d.updated_at"
            f" FROM deliveries d JOIN notifications n ON n.id = d.notification_id {where}"
            " ORDER BY d.id DESC LIMIT ?",
            (*params, limit),
        )
        return [LogEntry(**row) for row in rows]


def _pending(row) -> PendingDelivery:
    return PendingDelivery(row["id"], row["notification_id"], row["channel"], row["channel_type"],
                           json.loads(row["channel_config"]), row["attempts"], row["severity"], row["payload"])
