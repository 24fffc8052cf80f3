"""``RatingIntake``'s pieces: the decision without the database, and the event it publishes.

The whole of ``accept`` runs through both entrances in test_hot_path.py and, with a real
broker, in test_app.py.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from dost_channels.store import ChannelStore
from dost_contract.events import Channel, FeedbackIn, FeedbackSubmitted
from feedback_web.credentials import ClientChecks, authorize_rating
from feedback_web.intake import authorize_cached, submitted_event
from feedback_web.rate_limit import TokenBucket


@pytest.fixture
def store(tmp_path):
    store = ChannelStore(tmp_path / "c.sqlite3")
    yield store
    store.close()


def test_a_recently_checked_key_with_a_leased_token_is_decided_without_the_database(store):
    client, key = store.add_client("integration", ["baku-1"], ["web"])
    client_id = client.client_id
    checks, limiter = ClientChecks(store), TokenBucket(store, 0.001, 1000)  # leases 100 tokens
    authorization = f"Bearer {key}"
    assert authorize_cached(checks, limiter, authorization, "baku-1", Channel.WEB) is None  # never checked yet
    assert authorize_rating(store, TokenBucket(store, 5.0, 3), limiter, authorization, "baku-1", Channel.WEB,
                            checks) == (None, f"client:{client_id}")
    assert authorize_cached(checks, limiter, authorization, "baku-1", Channel.WEB) == f"client:{client_id}"
    # Only what was allowed, for that center and channel, is decided here; the rest goes to the store.
    assert authorize_cached(checks, limiter, authorization, "baku-2", Channel.WEB) is None
    assert authorize_cached(checks, limiter, authorization, "baku-1", Channel.KIOSK) is None
    assert authorize_cached(checks, limiter, None, "baku-1", Channel.WEB) is None
    assert authorize_cached(checks, limiter, "Bearer dk_tablet", "baku-1", Channel.KIOSK) is None
    spent = 2 + sum(authorize_cached(checks, limiter, authorization, "baku-1", Channel.WEB) is not None
                    for _ in range(200))
    assert spent == 100  # the lease is spent, then the shared bucket is asked again
    store.revoke_client(client_id)
    checks.seconds = 0.0  # the trust has run out: the store says revoked
    assert authorize_cached(checks, limiter, authorization, "baku-1", Channel.WEB) is None


@pytest.mark.parametrize("fields", [
    {"center_id": "baku-1", "rating": 5},
    {"center_id": "baku-2", "rating": 1, "channel": "kiosk", "service_group": "pensions", "comment": "  Çox yaxşı ",
     "submitted_at": "2026-12-01T14:00:00+04:00"},
])
def test_the_event_is_what_from_input_builds(fields):
    body = FeedbackIn.model_validate(fields)
    received_at = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    feedback_id = uuid.uuid4()
    event = submitted_event(body, feedback_id, received_at)
    expected = FeedbackSubmitted.from_input(body.model_copy(update={"feedback_id": feedback_id}), received_at)
    assert event.to_kafka() == expected.to_kafka()
    assert event.submitted_at.utcoffset() == timedelta(0)
