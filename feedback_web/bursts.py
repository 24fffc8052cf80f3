"""Repeated presses on a kiosk tablet: which ratings are beyond a plausible flow of citizens.

Such a rating is kept but not counted: the web answers it 202 (so the tablet does not
retry it forever), marks it ``suspect`` on the event, and the worker sends it to
``feedback.deadletter`` as ``suspect_burst``. A rating is suspect when:

- ``repeat_press``: the device's previous press was the same face, less than
  ``DOST_KIOSK_REPEAT_SECONDS`` ago: faster than one citizen can leave and the next
  one rate (the tablet shows a thank-you screen between them);
- ``over_rate``: more than ``DOST_KIOSK_MAX_PER_MINUTE`` presses in the last minute, far
  above any center's flow (a busy center sees ~80 visitors an hour);
- ``over_visits``: the device's presses in the last ``DOST_KIOSK_BURST_WINDOW_SECONDS``
  (counted or not) exceed the center's completed visits (``visits.completed``) in that
  window, plus a lead for the walk to the tablet, plus ``DOST_KIOSK_BURST_MARGIN``. Every
  citizen rates after a visit, so real use stays under it however busy the center is. A
  center with no visit feed is not judged by this rule.

Pure: the numbers come from the shared store (``dost_channels.kiosk_presses``).
"""

from __future__ import annotations

from dataclasses import dataclass

from dost_channels.kiosk_presses import PressHistory

SUSPECT_REASONS = ("repeat_press", "over_rate", "over_visits")


@dataclass(frozen=True)
class BurstRules:
    repeat_seconds: float = 3.0
    max_per_minute: int = 8
    window_seconds: float = 600.0
    visits_lead_seconds: float = 300.0
    margin: int = 3


def suspect_reason(history: PressHistory, rating: int, now: float, rules: BurstRules) -> str | None:
    """Why this press is beyond a plausible flow, or None when it is a citizen's rating."""
    if (history.last_at is not None and history.last_rating == rating
            and now - history.last_at < rules.repeat_seconds):
        return "repeat_press"
    if history.presses_last_minute + 1 > rules.max_per_minute:
        return "over_rate"
    if history.visits_in_window is not None and history.presses_in_window + 1 > history.visits_in_window + rules.margin:
        return "over_visits"
    return None
