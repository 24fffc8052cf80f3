"""Fixtures shared by the stream-worker tests (the session's services come from tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def producer(kafka, services_settings):
    """A Kafka producer on the session's broker, for writing feedback.submitted directly."""
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=services_settings.kafka_bootstrap_servers, acks="all")
    yield producer
    producer.close()
