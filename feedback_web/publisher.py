"""Publishing accepted feedback to Kafka with an idempotent, acks=all producer."""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from dost_contract import topics
from dost_contract.events import FeedbackSubmitted
from dost_contract.settings import Settings
from dost_contract.settings.kafka import kafka_client_kwargs

log = logging.getLogger(__name__)


class BrokerUnavailable(RuntimeError):
    """The broker did not acknowledge in time; the rating was not accepted."""


class FeedbackPublisher:
    """One long-lived producer. It (re)connects lazily, so the web starts while Kafka is down."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        return self._producer is not None

    async def _ensure_producer(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self._settings.kafka_bootstrap_servers,
                    **kafka_client_kwargs(self._settings),
                    client_id="dost-feedback-web",
                    acks="all",
                    enable_idempotence=True,
                    request_timeout_ms=int(self._settings.publish_timeout_seconds * 1000),
                    linger_ms=1,
                )
                try:
                    await producer.start()
                except BaseException:
                    await producer.stop()
                    raise
                self._producer = producer
            return self._producer

    async def publish(self, feedback: FeedbackSubmitted) -> None:
        """Return once the broker has acknowledged the record (all in-sync replicas)."""
        key, value = feedback.to_kafka()
        try:
            async with asyncio.timeout(self._settings.publish_timeout_seconds):
                producer = await self._ensure_producer()
                await producer.send_and_wait(topics.FEEDBACK_SUBMITTED, value=value, key=key)
        except (KafkaError, TimeoutError, OSError) as exc:
            log.warning("publish of %s failed: %r", feedback.feedback_id, exc)
            raise BrokerUnavailable(str(exc) or type(exc).__name__) from exc

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(self._settings.publish_timeout_seconds):
                producer = await self._ensure_producer()
                await producer.client.fetch_all_metadata()
            return True
        except (KafkaError, TimeoutError, OSError):
            return False

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
