"""The channel store on a real SQLite file, including two processes sharing it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from dost_channels.store import ChannelStore, DeviceCheck, QrState
from dost_channels.tokens import hash_token


def test_device_tokens_are_stored_hashed_and_checked(tmp_path):
    store = ChannelStore(tmp_path / "c.sqlite3")
    device, token = store.add_device("baku-1", "exit")
    assert token.startswith("dk_") and len(token) > 40
    raw = (tmp_path / "c.sqlite3").read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("c.sqlite3-*")
    )
    assert token.encode() not in raw
    assert hash_token(token).encode() in raw
    assert store.check_device(token, "baku-1") == (DeviceCheck.OK, device.device_id)
    assert store.check_device(token, "baku-2")[0] == DeviceCheck.WRONG_CENTER
    assert store.check_device("dk_nope", "baku-1") == (DeviceCheck.UNKNOWN, None)
    assert store.revoke_device(device.device_id)
    assert not store.revoke_device(device.device_id)
    assert store.check_device(token, "baku-1")[0] == DeviceCheck.REVOKED
    assert [d.revoked_at is not None for d in store.devices()] == [True]


def test_qr_token_is_claimed_once_and_released_on_failure(db_target):
    store = ChannelStore(db_target)
    token = store.issue_qr_token("baku-2", "pensions", ttl_seconds=60, now=1000.0)
    assert store.qr_token(token).state(1001.0) == QrState.VALID
    assert store.qr_token(token).state(1060.0) == QrState.EXPIRED
    assert store.claim_qr_token(token, "id-1", now=1001.0)
    assert not store.claim_qr_token(token, "id-1", now=1002.0)  # a replay, even with the same feedback_id
    assert not store.claim_qr_token(token, "id-2", now=1002.0)
    assert store.qr_token(token).state(1003.0) == QrState.USED
    store.release_qr_token(token, "id-2")  # not the holder: no effect
    assert store.qr_token(token).state(1003.0) == QrState.USED
    store.release_qr_token(token, "id-1")
    assert store.qr_token(token).state(1003.0) == QrState.VALID
    expired = store.issue_qr_token("baku-2", None, ttl_seconds=1, now=1000.0)
    assert not store.claim_qr_token(expired, "id-3", now=1001.0)
    assert store.qr_token("unknown") is None


def test_invitations_one_per_visit_latest_wins_and_opt_out_closes_them(db_target):
    store = ChannelStore(db_target)
    assert store.record_invitation("v1", "h", "baku-1", None, "az", 3600, now=100.0)
    assert not store.record_invitation("v1", "h", "baku-1", None, "az", 3600, now=101.0)
    assert store.latest_invitation("h") is None  # not sent yet
    store.mark_invitation_sent("v1", now=100.5)
    store.record_invitation("v2", "h", "baku-3", "pensions", "ru", 3600, now=200.0)
    store.mark_invitation_sent("v2", now=200.5)
    latest = store.latest_invitation("h")
    assert (latest.visit_id, latest.language, latest.is_open(300.0)) == ("v2", "ru", True)
    assert store.mark_help_sent("v2") and not store.mark_help_sent("v2")
    store.mark_answered("v2", "f-1", now=300.0)
    assert not store.latest_invitation("h").is_open(301.0)
    assert not store.is_opted_out("h")
    store.opt_out("h", now=400.0)
    assert store.is_opted_out("h")
    assert not store.invitation("v1").is_open(401.0)


def test_another_process_sees_the_same_state(db_target):
    """The web, the worker and the CLI share the database while each holds it open (SQLite: WAL)."""
    path = db_target
    store = ChannelStore(path)
    script = (
        "import sys; from dost_channels.store import ChannelStore; "
        "s = ChannelStore(sys.argv[1]); d, t = s.add_device('baku-4'); print(t)"
    )
    token = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert store.check_device(token, "baku-4")[0] == DeviceCheck.OK
    if isinstance(path, Path):
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"



RACE_SCRIPT = """
import json, sys, time
from dost_channels.store import ChannelStore
store = ChannelStore(sys.argv[1])
tokens = json.loads(sys.argv[2])
store.claim_qr_token(tokens[0], "warm-up")  # connected and ready before the start signal
while time.time() < float(sys.argv[3]):
    time.sleep(0.001)
print(json.dumps([t for t in tokens[1:] if store.claim_qr_token(t, sys.argv[4], now=time.time())]))
"""


def test_two_processes_claiming_the_same_qr_tokens_at_once_each_token_is_won_once(db_target):
    store = ChannelStore(db_target)
    tokens = [store.issue_qr_token("baku-4", None, ttl_seconds=3600) for _ in range(201)]
    start = time.time() + 3.0
    racers = [subprocess.Popen([sys.executable, "-c", RACE_SCRIPT, str(db_target), json.dumps(tokens), str(start),
                                f"f-{n}"], stdout=subprocess.PIPE, text=True) for n in range(2)]
    won = [json.loads(racer.communicate(timeout=120)[0]) for racer in racers]
    assert sorted(won[0] + won[1]) == sorted(tokens[1:])  # every token claimed, none twice
    assert all(store.qr_token(t).feedback_id in ("f-0", "f-1") for t in tokens[1:])
