"""One accepted rating's way out: PII masked, and 503 with the feedback_id when the broker is down."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import datetime, timezone

import pytest
from prometheus_client import REGISTRY

from dost_contract.events import Channel, FeedbackSubmitted
from dost_contract.settings import Settings
from dost_feedback.stack.processes import free_port
from feedback_web.ingest import masked, publish_or_503
from feedback_web.publisher import FeedbackPublisher

pytestmark = pytest.mark.timeout(60)

AT = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)


def feedback(comment: str | None = None, channel: Channel = Channel.KIOSK) -> FeedbackSubmitted:
    return FeedbackSubmitted(feedback_id=uuid.UUID("00000000-0000-4000-8000-000000000042"), center_id="baku-2",
                             channel=channel, rating=2, comment=comment, submitted_at=AT, received_at=AT)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_masked_replaces_pii_in_the_comment():
    original = feedback("Zəng edin: +994 50 123 45 67, ya da ali@example.az. FİN 5ABC12D")
    result = masked(original)
    assert result.comment == "Zəng edin: [phone], ya da [email]. FİN [fin]"
    assert original.comment.startswith("Zəng edin: +994")  # a copy: the input is untouched
    assert result.model_dump(exclude={"comment"}) == original.model_dump(exclude={"comment"})


def test_masked_leaves_a_rating_without_a_comment_alone():
    original = feedback(None)
    assert masked(original) is original


def test_masked_turns_a_comment_of_control_characters_into_none():
    assert masked(feedback("\u200b\x07  ")).comment is None


def test_publish_or_503_answers_503_with_the_feedback_id_when_no_broker_answers(monkeypatch):
    monkeypatch.setenv("DOST_KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{free_port()}")  # nobody listens there
    monkeypatch.setenv("DOST_PUBLISH_TIMEOUT_SECONDS", "0.5")
    settings = Settings()
    assert settings.publish_timeout_seconds == 0.5
    refused = sample("dost_web_feedback_rejected_total", reason="broker_unavailable")
    accepted = sample("dost_web_feedback_accepted_total", channel="kiosk")
    timed = sample("dost_web_publish_seconds_count")

    async def go():
        publisher = FeedbackPublisher(settings)
        try:
            return await publish_or_503(publisher, feedback("call 050 123 45 67"))
        finally:
            await publisher.close()

    started = time.monotonic()
    response = asyncio.run(go())
    elapsed = time.monotonic() - started
    assert response is not None and response.status_code == 503
    assert response.headers["retry-after"] == "5"
    body = json.loads(response.body)
    assert (body["code"], body["feedback_id"]) == ("broker_unavailable", "00000000-0000-4000-8000-000000000042")
    assert body["detail"].startswith("the feedback broker is unavailable; the rating was not recorded. "
                                     "Retry with the same feedback_id; it will be counted once. (")
    assert "050 123 45 67" not in response.body.decode()
    assert elapsed < 0.5 + 2.0
    assert sample("dost_web_feedback_rejected_total", reason="broker_unavailable") == refused + 1
    assert sample("dost_web_feedback_accepted_total", channel="kiosk") == accepted
    assert sample("dost_web_publish_seconds_count") == timed + 1
