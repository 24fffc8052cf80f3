"""Creating and checking the topics the system needs, on any Kafka cluster (local or production)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from dost_contract import topics
from dost_contract.settings import Settings
from dost_contract.settings.kafka import kafka_client_kwargs


class TopicSetupError(RuntimeError):
    """Kafka is unreachable or a topic does not fit the configuration; the message says which."""


@dataclass(frozen=True)
class TopicSpec:
    name: str
    compacted: bool = False

    @property
    def configs(self) -> dict[str, str]:
        return {"cleanup.policy": "compact"} if self.compacted else {}


def required_topics(settings: Settings) -> list[TopicSpec]:
    """The contract's topics, the channels' topics and the workers' table changelogs."""
    specs = [TopicSpec(name) for name in topics.ALL_TOPICS + topics.CHANNEL_TOPICS]
    specs += [TopicSpec(topics.changelog_topic(settings.faust_app_id, t), compacted=True) for t in topics.TABLES]
    return specs


def create_topics(
    settings: Settings, specs: list[TopicSpec] | None = None, timeout_seconds: float = 30.0
) -> list[str]:
    """Create missing topics (idempotent); returns the names created.

    Every topic gets ``DOST_TOPIC_PARTITIONS`` partitions: Faust refuses to start when a
    source topic and a table changelog differ, so an existing topic with another count
    is an error here too.
    """
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import KafkaError, TopicAlreadyExistsError, TopicAuthorizationFailedError

    specs = required_topics(settings) if specs is None else specs
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            remaining_ms = max(int((deadline - time.monotonic()) * 1000), 500)
            admin = KafkaAdminClient(
                bootstrap_servers=settings.kafka_bootstrap_servers,
                **kafka_client_kwargs(settings),
                client_id="dost-feedback-admin",
                bootstrap_timeout_ms=remaining_ms,
            )
            break
        except KafkaError as exc:
            if time.monotonic() > deadline:
                raise TopicSetupError(f"cannot reach Kafka at {settings.kafka_bootstrap_servers}: {exc}") from None
            time.sleep(0.5)
    created: list[str] = []
    # Under Kafka ACLs a service sees and may create only its own topics; the others are
    # the admin's to create (`dost-feedback topics create`), and not this service's to check.
    not_ours: set[str] = set()
    try:
        existing = set(admin.list_topics())
        for spec in specs:
            if spec.name in existing:
                continue
            new_topic = NewTopic(
                spec.name, settings.topic_partitions, settings.topic_replication_factor, topic_configs=spec.configs
            )
            try:
                admin.create_topics([new_topic])
                created.append(spec.name)
            except TopicAlreadyExistsError:
                pass
            except TopicAuthorizationFailedError:
                not_ours.add(spec.name)
        for spec in specs:
            if spec.name in not_ours:
                continue
            partitions = _partition_count(admin, spec.name, deadline)
            if partitions != settings.topic_partitions:
                raise TopicSetupError(
                    f"topic {spec.name} has {partitions} partitions but "
                    f"DOST_TOPIC_PARTITIONS={settings.topic_partitions}; they must match"
                )
    finally:
        admin.close()
    return created


def _partition_count(admin, name: str, deadline: float) -> int:
    # Right after creation the metadata may still list no partitions: wait for them.
    while True:
        (description,) = admin.describe_topics([name])
        partitions = len(description["partitions"])
        if partitions or time.monotonic() > deadline:
            return partitions
        time.sleep(0.2)
