"""API client keys on a real SQLite store: hashed, shown once, scoped, revocable."""

from __future__ import annotations

import pytest

from dost_channels.clients import ClientCheck
from dost_channels.store import ChannelStore
from dost_channels.tokens import hash_token


def test_a_key_is_stored_only_as_its_hash_and_checked_against_its_scope(tmp_path):
    store = ChannelStore(tmp_path / "c.sqlite3")
    client, key = store.add_client("e-gov portal", ["baku-1", "baku-2"], ["web"])
    assert key.startswith("ck_") and len(key) > 40
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("c.sqlite3*"))
    assert key.encode() not in raw and hash_token(key).encode() in raw
    assert store.check_client(key, "baku-2", "web") == (ClientCheck.OK, client.client_id)
    assert store.check_client(key, "baku-3", "web")[0] == ClientCheck.WRONG_CENTER
    assert store.check_client(key, "baku-1", "kiosk")[0] == ClientCheck.WRONG_CHANNEL
    assert store.check_client("ck_other", "baku-1", "web") == (ClientCheck.UNKNOWN, None)
    (listed,) = store.clients()
    assert (listed.name, listed.centers, listed.channels) == ("e-gov portal", ("baku-1", "baku-2"), ("web",))
    assert store.revoke_client(client.client_id) and not store.revoke_client(client.client_id)
    assert store.check_client(key, "baku-1", "web")[0] == ClientCheck.REVOKED


def test_every_center_and_two_channels(db_target):
    store = ChannelStore(db_target)
    client, key = store.add_client("simulator", None, ["web", "kiosk", "web"])
    assert client.centers is None and client.channels == ("web", "kiosk")
    assert store.check_client(key, "smart-agali", "kiosk")[0] == ClientCheck.OK


@pytest.mark.parametrize("centers,channels,match", [
    (None, ["sms"], "signed webhook"),
    (None, ["qr"], "visit token"),
    (None, [], "channels"),
    ([], ["web"], "at least one center"),
])
def test_a_scope_a_client_may_not_have_is_refused(tmp_path, centers, channels, match):
    with pytest.raises(ValueError, match=match):
        ChannelStore(tmp_path / "c.sqlite3").add_client("x", centers, channels)
