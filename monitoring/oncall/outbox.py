"""The receiver's durable outbox and sent log: one SQLite file (WAL) in the state dir.

A notification and one delivery row per channel are committed together before the
receiver answers Alertmanager; delivery rows then move ``pending`` -> ``sent`` or, after
the last attempt, ``failed``. Nothing is deleted: the rows are the log of what was sent.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY,
    received_at REAL NOT NULL,
    receiver TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    region TEXT,
    summary TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notifications(id),
    channel TEXT NOT NULL,
    channel_type TEXT NOT NULL,
    channel_config TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL,
    last_error TEXT,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_at);
"""

STATES = ("pending", "sent", "failed")


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


class Outbox:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # committed means on disk before the 200
        self._db.executescript(SCHEMA)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction under the lock: committed whole, or rolled back whole."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

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
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO notifications (received_at, receiver, status, severity, region, summary, payload)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (received_at, receiver, status, severity, region, summary, payload),
            )
            notification_id = cursor.lastrowid
            db.executemany(
                "INSERT INTO deliveries (notification_id, channel, channel_type, channel_config, state,"
                " attempts, next_attempt_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)",
                [
                    (notification_id, c.name, c.type, json.dumps(c.config), received_at, received_at)
                    for c in channels
                ],
            )
        return int(notification_id)

    def due(self, now: float, exclude: set[int] = frozenset(), limit: int = 100) -> list[PendingDelivery]:
        with self._lock:
            rows = self._db.execute(
                "SELECT d.id, d.notification_id, d.channel, d.channel_type, d.channel_config, d.attempts,"
                " n.severity, n.payload FROM deliveries d JOIN notifications n ON n.id = d.notification_id"
                " WHERE d.state = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?",
                (now, limit + len(exclude)),
            ).fetchall()
        return [
            PendingDelivery(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7])
            for r in rows
            if r[0] not in exclude
        ][:limit]

    def next_due_at(self, exclude: set[int] = frozenset()) -> float | None:
        """When the next pending delivery (not in ``exclude``, e.g. in flight) is due."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, next_attempt_at FROM deliveries WHERE state = 'pending'"
                " ORDER BY next_attempt_at LIMIT ?",
                (len(exclude) + 1,),
            ).fetchall()
        return next((at for delivery_id, at in rows if delivery_id not in exclude), None)

    def _update(self, delivery_id: int, state: str, attempts: int, next_at: float | None, error: str | None,
                now: float) -> None:
        with self._lock:
            self._db.execute(
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
        with self._transaction() as db:
            if delivery_ids is None:
                rows = db.execute("SELECT id FROM deliveries WHERE state = 'failed' ORDER BY id").fetchall()
            else:
                marks = ",".join("?" * len(delivery_ids))
                rows = db.execute(
                    f"SELECT id FROM deliveries WHERE state = 'failed' AND id IN ({marks}) ORDER BY id",
                    list(delivery_ids),
                ).fetchall() if delivery_ids else []
            ids = [int(row[0]) for row in rows]
            db.executemany(
                "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?"
                " WHERE id = ?",
                [(now, now, delivery_id) for delivery_id in ids],
            )
        return ids

    def counts(self) -> dict[str, int]:
        """Deliveries per state (every state present, 0 when none)."""
        with self._lock:
            rows = dict(self._db.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state").fetchall())
        return {state: int(rows.get(state, 0)) for state in STATES}

    def log(self, state: str | None = None, limit: int = 50) -> list[LogEntry]:
        """The newest deliveries (optionally in one state), newest first."""
        where, params = ("WHERE d.state = ?", [state]) if state else ("", [])
        with self._lock:
            rows = self._db.execute(
                "SELECT d.id, n.id, n.received_at, n.severity, n.region, n.status, n.summary, d.channel,"
                " d.channel_type, d.state, d.attempts, d.next_attempt_at, d.last_error, d.updated_at"
                f" FROM deliveries d JOIN notifications n ON n.id = d.notification_id {where}"
                " ORDER BY d.id DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [LogEntry(*row) for row in rows]
