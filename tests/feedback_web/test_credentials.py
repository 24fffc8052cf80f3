"""Which credential may post which rating (``authorize_rating``), on a real channel store.

The same rules through the running web are in tests/feedback_web/test_app.py.
"""

from __future__ import annotations

import json

import pytest

from dost_channels.clients import ClientCheck
from dost_channels.store import ChannelStore
from dost_contract.events import Channel
from feedback_web.credentials import ClientChecks, authorize_rating
from feedback_web.rate_limit import TokenBucket


@pytest.fixture
def store(tmp_path):
    return ChannelStore(tmp_path / "c.sqlite3")


def check(store, authorization, center_id="baku-1", channel=Channel.WEB):
    refusal, who = authorize_rating(store, TokenBucket(store, 5.0, 10), TokenBucket(store, 0.001, 1000),
                                    authorization, center_id, channel)
    if refusal is None:
        return 202, who
    return refusal.status_code, json.loads(refusal.body)["code"]


def test_no_or_unknown_credential_is_401_and_says_what_to_send(store):
    for authorization in (None, "", "Basic dXNlcjpwdw==", "Bearer ", "Bearer something-else", "Bearer ck_nope"):
        assert check(store, authorization)[0] == 401, authorization
    refusal, _ = authorize_rating(store, TokenBucket(store, 5.0, 10), TokenBucket(store, 1.0, 1), None, "baku-1",
                                  Channel.WEB)
    detail = json.loads(refusal.body)["detail"]
    assert "devices add" in detail and "clients add" in detail and "/sms/inbound" in detail


def test_a_device_token_posts_kiosk_ratings_at_its_center_only(store):
    device, token = store.add_device("baku-1")
    assert check(store, f"Bearer {token}", channel=Channel.KIOSK) == (202, f"device:{device.device_id}")
    assert check(store, f"Bearer {token}", channel=Channel.WEB) == (403, "device_wrong_channel")
    assert check(store, f"Bearer {token}", "baku-2", Channel.KIOSK) == (403, "device_wrong_center")


def test_a_client_key_posts_within_its_scope_and_never_sms_or_qr(store):
    client, key = store.add_client("portal", ["baku-1"], ["web", "kiosk"])
    assert check(store, f"Bearer {key}") == (202, f"client:{client.client_id}")
    assert check(store, f"bearer {key}", channel=Channel.KIOSK)[0] == 202
    assert check(store, f"Bearer {key}", "baku-2") == (403, "client_wrong_center")
    assert check(store, f"Bearer {key}", channel=Channel.SMS) == (403, "channel_not_posted_here")
    assert check(store, f"Bearer {key}", channel=Channel.QR) == (403, "channel_not_posted_here")
    store.revoke_client(client.client_id)
    assert check(store, f"Bearer {key}") == (401, "client_revoked")


def test_a_client_over_its_rate_limit_gets_429(store):
    _, key = store.add_client("portal", None, ["web"])
    limiter = TokenBucket(store, 10.0, 2)
    answers = [authorize_rating(store, TokenBucket(store, 5.0, 10), limiter, f"Bearer {key}", "baku-1",
                                Channel.WEB)[0] for _ in range(3)]
    assert answers[:2] == [None, None]
    assert answers[2].status_code == 429 and answers[2].headers["retry-after"] == "10"


def test_a_web_process_trusts_a_checked_client_key_a_few_seconds_only(store):
    client, key = store.add_client("portal", None, ["web"])
    checks = ClientChecks(store, seconds=30.0)
    assert checks.check(key, "baku-1", "web")[0] == ClientCheck.OK
    store.revoke_client(client.client_id)
    assert checks.check(key, "baku-1", "web")[0] == ClientCheck.OK  # still trusted, within its seconds
    assert checks.check(key, "baku-2", "kiosk")[0] == ClientCheck.REVOKED  # anything not checked is asked anew
    assert ClientChecks(store, seconds=0.0).check(key, "baku-1", "web")[0] == ClientCheck.REVOKED
