"""The Kafka publisher: refused or silent brokers within the timeout, and a real publish keyed by center."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from typing import Iterator

import pytest

from dost_contract import topics
from dost_contract.events import Channel, FeedbackSubmitted, utc_now
from dost_contract.settings import Settings
from dost_feedback.stack.processes import free_port
from feedback_web.publisher import BrokerUnavailable, FeedbackPublisher
from tests.conftest import read_topic

pytestmark = pytest.mark.timeout(120)

TIMEOUT = 0.5


def feedback(center_id: str = "baku-3") -> FeedbackSubmitted:
    now = utc_now()
    return FeedbackSubmitted(feedback_id=uuid.uuid4(), center_id=center_id, channel=Channel.WEB, rating=4,
                             submitted_at=now, received_at=now)


@pytest.fixture
def silent_broker() -> Iterator[str]:
    """A TCP port that accepts connections and never answers (a hung broker)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"127.0.0.1:{server.getsockname()[1]}"
    server.close()


def no_broker_settings(bootstrap: str) -> Settings:
    return Settings(kafka_bootstrap_servers=bootstrap, publish_timeout_seconds=TIMEOUT)


async def publish_and_ping(settings: Settings) -> tuple[BaseException | None, float, bool, bool]:
    publisher = FeedbackPublisher(settings)
    started = time.monotonic()
    error = None
    try:
        await publisher.publish(feedback())
    except BrokerUnavailable as exc:
        error = exc
    elapsed = time.monotonic() - started
    alive = await publisher.ping()
    connected = publisher.connected
    await publisher.close()
    return error, elapsed, alive, connected


@pytest.mark.parametrize("broker", ["refused", "silent"])
def test_without_a_broker_publish_raises_within_the_timeout_and_ping_is_false(broker, silent_broker):
    bootstrap = f"127.0.0.1:{free_port()}" if broker == "refused" else silent_broker
    error, elapsed, alive, connected = asyncio.run(publish_and_ping(no_broker_settings(bootstrap)))
    assert isinstance(error, BrokerUnavailable) and str(error)
    assert elapsed < TIMEOUT + 1.0
    assert alive is False
    assert connected is False  # no half-started producer is kept: the next call reconnects


def test_a_silent_broker_costs_the_whole_timeout(silent_broker):
    error, elapsed, _, _ = asyncio.run(publish_and_ping(no_broker_settings(silent_broker)))
    assert str(error) == "TimeoutError"
    assert TIMEOUT - 0.05 <= elapsed < TIMEOUT + 1.0


def test_close_without_a_connection_is_harmless():
    publisher = FeedbackPublisher(no_broker_settings(f"127.0.0.1:{free_port()}"))
    asyncio.run(publisher.close())
    assert not publisher.connected


@pytest.mark.services
def test_a_real_publish_is_acknowledged_and_keyed_by_center(kafka, services_settings: Settings):
    sent = feedback("karabakh-shusha")

    async def go() -> bool:
        publisher = FeedbackPublisher(services_settings)
        try:
            await publisher.publish(sent)
            return publisher.connected and await publisher.ping()
        finally:
            await publisher.close()

    assert asyncio.run(go()) is True
    records = [(key, value) for key, value in read_topic(services_settings, topics.FEEDBACK_SUBMITTED)
               if value.get("feedback_id") == str(sent.feedback_id)]
    assert len(records) == 1
    key, value = records[0]
    assert key == b"karabakh-shusha"
    assert FeedbackSubmitted.from_kafka(value) == sent
