"""The sent log as text for ``dost-feedback oncall log``. Pure."""

from __future__ import annotations

from datetime import datetime, timezone

from monitoring.alerting.alertmanager_config import receiver_name
from monitoring.oncall.outbox import LogEntry


def _time(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def format_log(entries: list[LogEntry], counts: dict[str, int]) -> str:
    """One line per delivery, newest first, then the totals per state."""
    lines = []
    for e in entries:
        state = e.state.upper() if e.state == "failed" else e.state
        line = (
            f"#{e.delivery_id:<5} {_time(e.received_at)}  {state:<7} {e.channel} ({e.channel_type})"
            f"  attempts={e.attempts}  {receiver_name(e.severity, e.region)} {e.status}: {e.summary}"
        )
        if e.state == "pending" and e.next_attempt_at is not None:
            line += f"\n        next attempt {_time(e.next_attempt_at)}"
        if e.last_error and e.state != "sent":
            line += f"\n        last error: {e.last_error}"
        lines.append(line)
    if not entries:
        lines.append("(no deliveries)")
    totals = ", ".join(f"{state} {counts.get(state, 0)}" for state in ("sent", "pending", "failed"))
    lines.append(f"deliveries: {totals}")
    return "\n".join(lines)
