"""Retention deletes exactly what is past it, in the real stores (SQLite files the services use)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from dost_channels.store import ChannelStore
from dost_contract.settings import Settings
from dost_feedback.retention import DAY_SECONDS, RetentionPolicy, run_retention, trim_jsonl
from monitoring.oncall.outbox import NewChannel, Outbox

pytestmark = pytest.mark.timeout(60)

NOW = 1_800_000_000.0
DAY = DAY_SECONDS
HOUR = 3600.0
SECOND = 1.0


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Embedded SQLite files under the state dir, or a fresh PostgreSQL database (DOST_DATABASE_URL)."""
    if request.param == "sqlite":
        return Settings(state_dir=tmp_path)
    return Settings(state_dir=tmp_path, database_url=request.getfixturevalue("postgres").fresh_database())


def test_the_defaults_are_90_days_7_days_after_expiry_and_30_days():
    cutoffs = RetentionPolicy.from_settings(Settings()).cutoffs(NOW)
    assert (NOW - cutoffs.invitations_created_before, NOW - cutoffs.qr_tokens_expired_before,
            NOW - cutoffs.outbox_before) == (90 * DAY, 7 * DAY, 30 * DAY)


def fill_channel_store(path: str | Path) -> tuple[list[str], list[str]]:
    """Invitations and QR tokens on both sides of the cutoffs; returns (the kept visit ids, kept tokens)."""
    store = ChannelStore(path)
    try:
        for visit_id, age in (("old", 90 * DAY + SECOND), ("very-old", 400 * DAY), ("edge", 90 * DAY - SECOND),
                              ("recent", 1 * DAY)):
            store.record_invitation(visit_id, f"hash-{visit_id}", "baku-1", None, "az", 48 * HOUR, now=NOW - age)
        store.mark_answered("old", "fb-1", now=NOW - 90 * DAY)
        store.opt_out("hash-very-old", now=NOW - 400 * DAY)
        kept_tokens = []
        # (age at issue, ttl): expired 7 days + 1 s ago goes; 7 days - 1 s ago, or still valid, stays.
        for name, issued_ago, ttl in (("gone", 10 * DAY, 3 * DAY - SECOND), ("edge", 10 * DAY, 3 * DAY + SECOND),
                                       ("valid", 1 * HOUR, 72 * HOUR)):
            token = store.issue_qr_token("baku-1", None, ttl, now=NOW - issued_ago)
            if name != "gone":
                kept_tokens.append(token)
        return ["edge", "recent"], kept_tokens
    finally:
        store.close()


def fill_outbox(path: str | Path) -> None:
    outbox = Outbox(path)
    try:
        channels = [NewChannel("dev-file", "dev", {"type": "dev"}), NewChannel("duty", "sms", {"type": "sms"})]
        for summary, age in (("old-sent", 31 * DAY), ("old-pending", 31 * DAY), ("recent", 29 * DAY)):
            notification_id = outbox.persist(received_at=NOW - age, receiver="page", status="firing",
                                              severity="page", region=None, summary=summary, payload="{}",
                                              channels=channels)
            for delivery in outbox.due(NOW, limit=10):
                if delivery.notification_id == notification_id and summary != "old-pending":
                    outbox.mark_sent(delivery.id, 1, now=NOW - age)
    finally:
        outbox.close()


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).isoformat()


def test_retention_run_deletes_exactly_what_is_past_retention(settings: Settings):
    kept_visits, kept_tokens = fill_channel_store(settings.channels_database)
    fill_outbox(settings.oncall_database)
    settings.receiver_log_file.parent.mkdir(parents=True)
    settings.receiver_log_file.write_text(
        "".join(json.dumps({"received_at": iso(NOW - age), "alertname": name}) + "\n"
                for name, age in (("old", 30 * DAY + SECOND), ("new", 30 * DAY - SECOND))) + "not json\n")
    settings.sms_outbox_path.write_text(
        "".join(json.dumps({"at": NOW - age, "text": name}) + "\n" for name, age in (("old", 31 * DAY), ("new", DAY))))

    report = run_retention(settings, now=NOW)

    assert report.as_dict() == {"invitations": 2, "qr_tokens": 1, "oncall_notifications": 1, "oncall_deliveries": 2,
                                "alert_journal_lines": 1, "sms_outbox_lines": 1}
    store = ChannelStore(settings.channels_database)
    try:
        assert [v for v in ("old", "very-old", "edge", "recent") if store.invitation(v)] == kept_visits
        assert all(store.qr_token(token) is not None for token in kept_tokens)
        assert store.is_opted_out("hash-very-old")  # an opt-out is never forgotten
    finally:
        store.close()
    outbox = Outbox(settings.oncall_database)
    try:
        assert sorted(entry.summary for entry in outbox.log(limit=100)) == ["old-pending", "old-pending",
                                                                            "recent", "recent"]
    finally:
        outbox.close()
    assert [line for line in settings.receiver_log_file.read_text().splitlines()] == [
        json.dumps({"received_at": iso(NOW - 30 * DAY + SECOND), "alertname": "new"}), "not json"]
    assert [json.loads(line)["text"] for line in settings.sms_outbox_path.read_text().splitlines()] == ["new"]

    assert run_retention(settings, now=NOW).as_dict() == dict.fromkeys(report.as_dict(), 0)  # idempotent


def test_nothing_to_delete_on_a_fresh_machine(settings: Settings):
    assert set(run_retention(settings).as_dict().values()) == {0}
    assert not settings.channels_db_path.exists()  # never creates the stores


def test_trim_keeps_a_file_untouched_when_nothing_is_old(tmp_path: Path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"at": 5}\n')
    before = path.stat().st_mtime_ns
    assert trim_jsonl(path, "at", 1.0) == 0 and path.stat().st_mtime_ns == before
