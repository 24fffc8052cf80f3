"""The SQLite outbox: persisted together, due, retried, failed, kept across reopen."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from monitoring.oncall.outbox import NewChannel, Outbox


def persist(outbox: Outbox, at: float = 100.0, channels=("dev-file", "duty-sms")) -> int:
    return outbox.persist(
        received_at=at, receiver="page@baku", status="firing", severity="page", region="baku",
        summary="PAGE ...", payload='{"x": 1}',
        channels=[NewChannel(name, "dev" if name == "dev-file" else "sms", {"type": "dev"}) for name in channels],
    )


def test_a_notification_and_its_deliveries_are_due_at_once(db_target):
    outbox = Outbox(db_target)
    notification_id = persist(outbox)
    due = outbox.due(now=100.0)
    assert [(d.notification_id, d.channel, d.attempts, d.severity) for d in due] == [
        (notification_id, "dev-file", 0, "page"),
        (notification_id, "duty-sms", 0, "page"),
    ]
    assert outbox.due(now=99.0) == []
    assert outbox.due(now=100.0, exclude={due[0].id}) == [due[1]]
    assert outbox.counts() == {"pending": 2, "sent": 0, "failed": 0}


def test_retry_sent_and_failed_states(db_target):
    outbox = Outbox(db_target)
    persist(outbox)
    first, second = outbox.due(now=100.0)
    outbox.mark_sent(first.id, 1, now=101.0)
    outbox.mark_retry(second.id, 1, next_at=110.0, error="gateway 503", now=101.0)
    assert outbox.due(now=105.0) == [] and outbox.next_due_at() == 110.0
    assert outbox.next_due_at(exclude={second.id}) is None  # in flight: not waited for
    [again] = outbox.due(now=110.0)
    assert again.attempts == 1
    outbox.mark_failed(again.id, 2, error="gateway 503", now=111.0)
    assert outbox.counts() == {"pending": 0, "sent": 1, "failed": 1}
    assert outbox.next_due_at() is None
    [failed] = outbox.log(state="failed")
    assert (failed.channel, failed.attempts, failed.last_error) == ("duty-sms", 2, "gateway 503")
    assert [e.state for e in outbox.log()] == ["failed", "sent"]  # newest first


def test_pending_deliveries_survive_a_reopen_in_wal_mode(tmp_path: Path):
    path = tmp_path / "oncall.sqlite3"
    outbox = Outbox(path)
    persist(outbox)
    outbox.close()
    reopened = Outbox(path)
    assert len(reopened.due(now=1e12)) == 2
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_failed_insert_leaves_nothing_behind(db_target):
    outbox = Outbox(db_target)
    bad = [NewChannel("a", "dev", {}), NewChannel("b", "dev", {"x": object()})]  # not JSON: fails mid-way
    try:
        outbox.persist(received_at=1.0, receiver="r", status="firing", severity="page", region=None,
                       summary="s", payload="{}", channels=bad)
    except TypeError:
        pass
    assert outbox.log() == [] and outbox.counts()["pending"] == 0


def test_requeue_failed_gives_only_failed_deliveries_a_fresh_schedule(db_target):
    outbox = Outbox(db_target)
    persist(outbox, channels=("dev-file", "duty-sms", "chat"))
    sent, failed, also_failed = outbox.due(now=100.0)
    outbox.mark_sent(sent.id, 1, now=101.0)
    outbox.mark_failed(failed.id, 8, error="gateway 503", now=101.0)
    outbox.mark_failed(also_failed.id, 8, error="502", now=101.0)

    # A sent or unknown id is never requeued: retrying must not send twice.
    assert outbox.requeue_failed([sent.id, 999, failed.id], now=200.0) == [failed.id]
    assert outbox.counts() == {"pending": 1, "sent": 1, "failed": 1}
    [due] = outbox.due(now=200.0)
    assert (due.id, due.attempts) == (failed.id, 0)
    assert outbox.requeue_failed([], now=200.0) == []
    assert outbox.requeue_failed(None, now=201.0) == [also_failed.id]
    assert outbox.counts() == {"pending": 2, "sent": 1, "failed": 0}


WORKER_SCRIPT = """
import json, sys, time
from monitoring.oncall.outbox import Outbox
outbox = Outbox(sys.argv[1])
outbox.counts()  # connected before the start signal
while time.time() < float(sys.argv[2]):
    time.sleep(0.001)
taken = []
while batch := outbox.claim_due(now=1e9, lease_seconds=1e6, limit=3):
    for delivery in batch:
        taken.append(delivery.id)
        outbox.mark_sent(delivery.id, delivery.attempts + 1, now=1e9)
print(json.dumps(taken))
"""


def test_two_dispatchers_sharing_the_outbox_deliver_each_row_once(db_target):
    outbox = Outbox(db_target)
    for at in range(60):
        persist(outbox, at=float(at))
    start = time.time() + 3.0
    workers = [subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT, str(db_target), str(start)],
                                stdout=subprocess.PIPE, text=True) for _ in range(2)]
    taken = [json.loads(worker.communicate(timeout=120)[0]) for worker in workers]
    assert len(taken[0] + taken[1]) == len(set(taken[0] + taken[1])) == 120  # each delivery once
    assert outbox.counts() == {"pending": 0, "sent": 120, "failed": 0}


def test_a_claimed_delivery_is_not_due_again_until_its_lease_ends(db_target):
    outbox = Outbox(db_target)
    persist(outbox, channels=("dev-file",))
    [claimed] = outbox.claim_due(now=100.0, lease_seconds=60.0)
    assert outbox.claim_due(now=159.0, lease_seconds=60.0) == []
    [again] = outbox.claim_due(now=161.0, lease_seconds=60.0)  # its dispatcher died mid-send: retried
    assert again.id == claimed.id
