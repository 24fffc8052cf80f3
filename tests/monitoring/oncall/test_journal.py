"""The receiver's journal: JSON lines on disk, a bounded history, and reading it back."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from monitoring.oncall.journal import (
    AlertJournal,
    find_received_alert,
    read_journal,
    received_alerts,
    wait_for_received_alert,
)
from monitoring.oncall.payload import WebhookPayload
from tests.monitoring.oncall.helpers import webhook_payload

pytestmark = pytest.mark.timeout(30)

AT = datetime(2026, 11, 22, 10, 5, tzinfo=timezone.utc)


def alerts(status: str = "firing", n_alerts: int = 1, **labels: str):
    return received_alerts(WebhookPayload.model_validate(webhook_payload(status, n_alerts=n_alerts, **labels)), AT)


def test_received_alerts_is_one_record_per_alert():
    records = alerts(n_alerts=3, receiver="warning@baku")
    assert [(r.fingerprint, r.labels["window"]) for r in records] == [
        ("a1b2c3d4e5f60718", "24h"), ("ff01", "w1"), ("ff02", "w2")]
    first = records[0]
    assert (first.status, first.alertname, first.center_id, first.severity) == (
        "firing", "CenterSatisfactionBelowTarget", "baku-2", "page")
    assert first.receiver == "warning@baku" and first.received_at == AT
    assert first.annotations["wilson_upper"] == "0.9312"
    assert first.starts_at == datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)


def test_a_record_without_center_or_severity_has_none():
    payload = webhook_payload()
    payload["alerts"][0]["labels"] = {"alertname": "DostWorkerDown"}
    [record] = received_alerts(WebhookPayload.model_validate(payload), AT)
    assert (record.alertname, record.center_id, record.severity) == ("DostWorkerDown", None, None)


def test_append_writes_json_lines_and_logs_each_alert(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    log_file = tmp_path / "deep" / "dir" / "receiver.jsonl"  # parents are created
    journal = AlertJournal(log_file, history_size=10)
    with caplog.at_level(logging.INFO, logger="dost.oncall"):
        journal.append(alerts(n_alerts=2))
    lines = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert [line["fingerprint"] for line in lines] == ["a1b2c3d4e5f60718", "ff01"]
    assert lines[0]["center_id"] == "baku-2" and lines[0]["received_at"] == "2026-11-22T10:05:00Z"
    assert [r.getMessage().split(" ", 1)[0] for r in caplog.records if r.name == "dost.oncall"] == ["alert", "alert"]
    assert read_journal(log_file) == list(journal.history)


def test_the_history_is_bounded_but_the_file_keeps_everything(tmp_path: Path):
    journal = AlertJournal(tmp_path / "receiver.jsonl", history_size=2)
    for center in ("baku-1", "baku-2", "baku-3"):
        journal.append(alerts(center_id=center))
    assert [a.center_id for a in journal.history] == ["baku-2", "baku-3"]
    assert [a.center_id for a in read_journal(tmp_path / "receiver.jsonl")] == ["baku-1", "baku-2", "baku-3"]


def test_a_second_journal_appends_to_the_same_file(tmp_path: Path):
    AlertJournal(tmp_path / "r.jsonl", 5).append(alerts(center_id="baku-1"))
    second = AlertJournal(tmp_path / "r.jsonl", 5)
    second.append(alerts("resolved", center_id="baku-1"))
    assert [a.status for a in read_journal(tmp_path / "r.jsonl")] == ["firing", "resolved"]
    assert [a.status for a in second.history] == ["resolved"]  # history is this process's only


def test_read_journal_of_a_missing_file_is_empty(tmp_path: Path):
    assert read_journal(tmp_path / "never-written.jsonl") == []


def test_read_journal_skips_blank_lines(tmp_path: Path):
    log_file = tmp_path / "r.jsonl"
    [record] = alerts()
    log_file.write_text("\n" + record.model_dump_json() + "\n\n", encoding="utf-8")
    assert read_journal(log_file) == [record]


def test_find_received_alert_by_status_and_labels(tmp_path: Path):
    journal = AlertJournal(tmp_path / "r.jsonl", 10)
    journal.append(alerts(center_id="baku-1"))
    journal.append(alerts("resolved", center_id="baku-1"))
    journal.append(alerts(center_id="baku-3", severity="warning"))
    log_file = journal.log_file
    assert find_received_alert(log_file, center_id="baku-1").status == "firing"  # the first match
    assert find_received_alert(log_file, "resolved", center_id="baku-1").status == "resolved"
    assert find_received_alert(log_file, severity="warning").center_id == "baku-3"
    assert find_received_alert(log_file, "resolved", center_id="baku-3") is None
    assert find_received_alert(log_file, center_id="baku-1", severity="warning") is None
    assert find_received_alert(tmp_path / "missing.jsonl") is None


def test_wait_for_received_alert_returns_once_it_arrives(tmp_path: Path):
    journal = AlertJournal(tmp_path / "r.jsonl", 10)
    writer = threading.Timer(0.3, lambda: journal.append(alerts(center_id="baku-4")))
    writer.start()
    started = time.monotonic()
    try:
        alert = wait_for_received_alert(journal.log_file, timeout=10, status="firing", poll_seconds=0.05,
                                        center_id="baku-4")
    finally:
        writer.join()
    assert alert.center_id == "baku-4"
    assert 0.25 <= time.monotonic() - started < 5


def test_wait_for_received_alert_times_out_naming_what_was_seen(tmp_path: Path):
    journal = AlertJournal(tmp_path / "r.jsonl", 10)
    journal.append(alerts(center_id="baku-1"))
    with pytest.raises(TimeoutError) as raised:
        wait_for_received_alert(journal.log_file, timeout=1.0, status="resolved", poll_seconds=0.05,
                                center_id="baku-1")
    message = str(raised.value)
    assert message.startswith(
        f"no resolved alert with labels {{'center_id': 'baku-1'}} in {journal.log_file} after 1s; received so far: "
        "[('firing', {'alertname': 'CenterSatisfactionBelowTarget', 'center_id': 'baku-1'"
    )


def test_wait_without_a_status_says_any_status_and_nothing_seen(tmp_path: Path):
    with pytest.raises(TimeoutError, match=r"^no any-status alert with labels \{'center_id': 'x'\} in .* "
                                           r"received so far: \[\]$"):
        wait_for_received_alert(tmp_path / "none.jsonl", timeout=0.1, poll_seconds=0.05, center_id="x")
