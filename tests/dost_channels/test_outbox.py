"""The invitation outbox on a real SQLite store: stored with the invitation, claimed once,
retried with backoff, marked sent or given up."""

from __future__ import annotations

import pytest

from dost_channels.outbox import backoff_seconds
from dost_channels.store import ChannelStore


def enqueue(store: ChannelStore, visit_id: str = "v1", now: float = 100.0) -> bool:
    return store.enqueue_invitation(visit_id=visit_id, phone_hash="h", phone_encrypted="enc", center_id="baku-1",
                                    service_group=None, language="az", text="DOST: rate us", valid_seconds=3600,
                                    now=now)


def test_the_invitation_and_its_outbox_row_are_written_together_once(db_target):
    store = ChannelStore(db_target)
    assert enqueue(store) and not enqueue(store, now=101.0)
    assert store.invitation("v1").sent_at is None
    assert store.outbox_counts() == {"pending": 1, "sent": 0, "gave_up": 0}


def test_a_claim_pushes_the_next_try_back_so_no_two_senders_take_it(db_target):
    store = ChannelStore(db_target)
    enqueue(store)
    other = ChannelStore(db_target)  # a second sender process
    (item,) = store.claim_due_invitations(100.0, 5, 60)
    assert (item.visit_id, item.phone_encrypted, item.text, item.attempts) == ("v1", "enc", "DOST: rate us", 1)
    assert other.claim_due_invitations(100.0, 5, 60) == []
    assert other.claim_due_invitations(104.9, 5, 60) == []
    assert other.claim_due_invitations(105.0, 5, 60)[0].attempts == 2
    store.note_outbox_failure("v1", "gateway 500")
    store.mark_outbox_sent("v1", now=106.0)
    assert store.invitation("v1").sent_at == 106.0
    assert store.claim_due_invitations(10_000.0, 5, 60) == []
    assert store.outbox_counts() == {"pending": 0, "sent": 1, "gave_up": 0}


def test_given_up_is_kept_and_never_claimed(db_target):
    store = ChannelStore(db_target)
    enqueue(store)
    store.give_up_invitation("v1", "expired", now=200.0)
    assert store.claim_due_invitations(10_000.0, 5, 60) == []
    assert store.outbox_counts() == {"pending": 0, "sent": 0, "gave_up": 1}


@pytest.mark.parametrize("attempts,seconds", [(0, 5), (1, 5), (2, 10), (3, 20), (6, 60), (40, 60)])
def test_backoff_doubles_up_to_the_cap(attempts, seconds):
    assert backoff_seconds(attempts, 5, 60) == seconds
