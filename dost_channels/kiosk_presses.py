"""What the web needs to tell a tablet's repeated presses from real citizens.

- ``kiosk_presses``: every kiosk rating a device sent (counted or not), with the rating;
- ``completed_visits``: the center's finished visits, recorded by the SMS-invitation
  agent from ``visits.completed`` (the queue system's events): how many citizens could
  have rated.

``press_history`` gathers the numbers the pure rules in ``feedback_web.bursts`` judge.
Rows older than a day are pruned. A mixin of ``ChannelStore`` (``dost_channels.store``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

KIOSK_PRESSES_SCHEMA = """
CREATE TABLE IF NOT EXISTS kiosk_presses (
    feedback_id TEXT PRIMARY KEY,  -- a tablet's retry of one rating is one press
    device_id   TEXT NOT NULL,
    pressed_at  REAL NOT NULL,
    rating      INTEGER NOT NULL,
    suspect     TEXT
);
CREATE INDEX IF NOT EXISTS kiosk_presses_by_device ON kiosk_presses (device_id, pressed_at);
CREATE TABLE IF NOT EXISTS completed_visits (
    visit_id      TEXT PRIMARY KEY,
    center_id     TEXT NOT NULL,
    completed_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS completed_visits_by_center ON completed_visits (center_id, completed_at);
"""
# A center that reported no visit for this long has no queue-system feed: the visits rule
# cannot judge it (and must not refuse every rating there).
VISIT_FEED_SECONDS = 24 * 3600


@dataclass(frozen=True)
class PressHistory:
    """A device's recent presses and its center's visits, before the press being judged."""

    last_at: float | None
    last_rating: int | None
    presses_in_window: int  # counted or not
    presses_last_minute: int
    visits_in_window: int | None  # None: the center has no visit feed


class KioskPresses:
    """The ``kiosk_presses`` and ``completed_visits`` tables."""

    def record_completed_visit(self, visit_id: str, center_id: str, completed_at: float) -> None:
        self._write("INSERT OR IGNORE INTO completed_visits (visit_id, center_id, completed_at) VALUES (?, ?, ?)",
                    (visit_id, center_id, completed_at))

    def press_history(self, device_id: str, center_id: str, now: float, window_seconds: float,
                      visits_lead_seconds: float) -> PressHistory:
        """``visits_in_window`` counts visits from ``window + lead`` ago: a citizen rates after the visit."""
        with self._lock:
            last = self._db.execute(
                "SELECT pressed_at, rating FROM kiosk_presses WHERE device_id = ? ORDER BY pressed_at DESC LIMIT 1",
                (device_id,),
            ).fetchone()
            in_window, last_minute = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(pressed_at > ?), 0) FROM kiosk_presses "
                "WHERE device_id = ? AND pressed_at > ?",
                (now - 60, device_id, now - window_seconds),
            ).fetchone()
            visits, fed = self._db.execute(
                "SELECT COALESCE(SUM(completed_at > ?), 0), COUNT(*) FROM completed_visits "
                "WHERE center_id = ? AND completed_at > ? AND completed_at <= ?",
                (now - window_seconds - visits_lead_seconds, center_id, now - VISIT_FEED_SECONDS, now),
            ).fetchone()
        return PressHistory(last["pressed_at"] if last else None, last["rating"] if last else None,
                            int(in_window), int(last_minute), int(visits) if fed else None)

    def record_press(self, feedback_id: str, device_id: str, pressed_at: float, rating: int,
                     suspect: str | None) -> tuple[bool, str | None]:
        """(True, suspect) for a new press; (False, its first verdict) for a retry of the same feedback_id."""
        with self._lock:
            added = self._db.execute(
                "INSERT OR IGNORE INTO kiosk_presses (feedback_id, device_id, pressed_at, rating, suspect) "
                "VALUES (?, ?, ?, ?, ?)", (feedback_id, device_id, pressed_at, rating, suspect),
            ).rowcount
            if added:
                return True, suspect
            row = self._db.execute("SELECT suspect FROM kiosk_presses WHERE feedback_id = ?", (feedback_id,)).fetchone()
        return False, row["suspect"]

    def press_verdict(self, feedback_id: str) -> tuple[bool, str | None]:
        """(True, its verdict) if this rating was judged before (a retry), else (False, None)."""
        row = self._one("SELECT suspect FROM kiosk_presses WHERE feedback_id = ?", (feedback_id,))
        return (True, row["suspect"]) if row else (False, None)

    def prune_presses(self, now: float | None = None) -> None:
        cutoff = (time.time() if now is None else now) - VISIT_FEED_SECONDS
        self._write("DELETE FROM kiosk_presses WHERE pressed_at < ?", (cutoff,))
        self._write("DELETE FROM completed_visits WHERE completed_at < ?", (cutoff,))
