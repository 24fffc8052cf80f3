"""What the DOST queue system does when a visit ends: publish ``visits.completed``.

``dost-feedback visit-completed`` plays the queue system's part, to try SMS invitations
locally; in production the queue system publishes these events itself.
"""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from dost_contract import topics
from dost_contract.settings import Settings
from dost_contract.settings.kafka import kafka_client_kwargs
from dost_contract.visits import VisitCompleted


async def publish_visits(settings: Settings, visits: list[VisitCompleted]) -> None:
    """Publish to visits.completed with acks=all; returns once every record is acknowledged."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, **kafka_client_kwargs(settings),
                                acks="all",
                                enable_idempotence=True, request_timeout_ms=10000)
    try:
        await producer.start()
        for visit in visits:
            key, value = visit.to_kafka()
            await producer.send_and_wait(topics.VISITS_COMPLETED, value=value, key=key)
    finally:
        await producer.stop()
