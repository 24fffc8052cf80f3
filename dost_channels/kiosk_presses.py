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
        self._write("INSERT INTO completed_visits (visit_id, center_id, completed_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (visit_id, center_id, completed_at))

    def press_history(self, device_id: str, center_id: str, now: float, window_seconds: float,
                      visits_lead_seconds: float) -> PressHistory:
        """``visits_in_window`` counts visits from ``window + lead`` ago: a citizen rates after the visit."""
        with self._transaction() as tx:
            last = tx.one(
                "SELECT pressed_at, rating FROM kiosk_presses WHERE device_id = ? ORDER BY pressed_at DESC LIMIT 1",
                (device_id,),
            )
            in_window, last_minute = tx.execute(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN pressed_at > ? THEN 1 ELSE 0 END), 0) FROM kiosk_presses "
                "WHERE device_id = ? AND pressed_at > ?",
                (now - 60, device_id, now - window_seconds),
            ).one()
            visits, fed = tx.execute(
                "SELECT COALESCE(SUM(CASE WHEN completed_at > ? THEN 1 ELSE 0 END), 0), COUNT(*) FROM completed_visits "
                "WHERE center_id = ? AND completed_at > ? AND completed_at <= ?",
                (now - window_seconds - visits_lead_seconds, center_id, now - VISIT_FEED_SECONDS, now),
            ).one()
        return PressHistory(last["pressed_at"] if last else None, last["rating"] if last else None,
                            int(in_window), int(last_minute), int(visits) if fed else None)

    def record_press(self, feedback_id: str, device_id: str, pressed_at: float, rating: int,
                     suspect: str | None) -> tuple[bool, str | None]:
        """(True, suspect) for a new press; (False, its first verdict) for a retry of the same feedback_id."""
        with self._transaction() as tx:
            added = tx.write(
                "INSERT INTO kiosk_presses (feedback_id, device_id, pressed_at, rating, suspect) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", (feedback_id, device_id, pressed_at, rating, suspect),
            )
            if added:
                return True, suspect
            row = tx.one("SELECT suspect FROM kiosk_presses WHERE feedback_id = ?", (feedback_id,))
        return False, row["suspect"]

    def press_verdict(self, feedback_id: str) -> tuple[bool, str | None]:
        """(True, its verdict) if this rating was judged before (a retry), else (False, None)."""
        row = self._one("SELECT suspect FROM kiosk_presses WHERE feedback_id = ?", (feedback_id,))
        return (True, row["suspect"]) if row else (False, None)

    def prune_presses(self, now: float | None = None) -> None:
        cutoff = (time.time() if now is None else now) - VISIT_FEED_SECONDS
        with self._transaction() as tx:
            tx.write("DELETE FROM kiosk_presses WHERE pressed_at < ?", (cutoff,))
            tx.write("DELETE FROM completed_visits WHERE completed_at < ?", (cutoff,))
