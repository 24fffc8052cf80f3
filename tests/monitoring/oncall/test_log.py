"""The `oncall log` text (pure)."""

from __future__ import annotations

from monitoring.oncall.log import format_log
from monitoring.oncall.outbox import LogEntry


def entry(**changes) -> LogEntry:
    base = dict(
        delivery_id=7, notification_id=3, received_at=1_795_000_000.0, severity="page", region="baku",
        status="firing", summary="PAGE CenterSatisfactionBelowTarget baku-2 (baku) 24h: ratio 0.9000",
        channel="duty-sms", channel_type="sms", state="sent", attempts=1, next_attempt_at=None,
        last_error=None, updated_at=1_795_000_001.0,
    )
    return LogEntry(**{**base, **changes})


def test_sent_failed_and_pending_lines():
    text = format_log(
        [
            entry(),
            entry(delivery_id=8, state="failed", attempts=8, last_error="ChannelError: webhook answered 500"),
            entry(delivery_id=9, state="pending", attempts=2, next_attempt_at=1_795_000_100.0, last_error="timeout"),
        ],
        {"sent": 1, "pending": 1, "failed": 1},
    )
    lines = text.splitlines()
    assert lines[0].startswith("#7 ") and "sent    duty-sms (sms)" in lines[0] and "page@baku firing" in lines[0]
    assert "FAILED" in lines[1] and "attempts=8" in lines[1]
    assert lines[2].strip() == "last error: ChannelError: webhook answered 500"
    assert "next attempt 2026-" in text and "last error: timeout" in text
    assert lines[-1] == "deliveries: sent 1, pending 1, failed 1"


def test_empty_log():
    assert format_log([], {"sent": 0, "pending": 0, "failed": 0}) == "(no deliveries)\ndeliveries: sent 0, pending 0, failed 0"
