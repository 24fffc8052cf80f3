"""The SMS webhook's memory: each message id once (released on failure), one auto-reply a day."""

from __future__ import annotations

import calendar

from dost_channels.sms_ledger import utc_day
from dost_channels.store import ChannelStore

NOON = calendar.timegm((2026, 12, 1, 12, 0, 0))


def test_a_message_id_is_claimed_once_until_released(db_target):
    store = ChannelStore(db_target)
    assert store.claim_sms_message("twilio:SM1", now=NOON)
    assert not store.claim_sms_message("twilio:SM1", now=NOON + 5)
    store.finish_sms_message("twilio:SM1", "counted")
    assert store.sms_message_outcome("twilio:SM1") == "counted"
    assert store.claim_sms_message("twilio:SM2")
    store.release_sms_message("twilio:SM2")  # its processing failed: the retry is processed
    assert store.claim_sms_message("twilio:SM2")
    # Another process sharing the file sees the claim.
    assert not ChannelStore(db_target).claim_sms_message("twilio:SM1")


def test_one_auto_reply_per_phone_per_utc_day(db_target):
    store = ChannelStore(db_target)
    assert store.claim_auto_reply("h1", "closed", now=NOON)
    assert not store.claim_auto_reply("h1", "opt_out", now=NOON + 3600)
    assert store.claim_auto_reply("h2", "closed", now=NOON)
    assert store.claim_auto_reply("h1", "closed", now=NOON + 12 * 3600 + 1)  # the next UTC day
    assert utc_day(NOON) == "2026-12-01"
