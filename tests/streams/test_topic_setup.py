import uuid

import pytest

from dost_contract import topics
from dost_contract.settings import Settings
from streams.topic_setup import TopicSetupError, TopicSpec, create_topics, required_topics


def test_required_topics_are_the_contract_plus_compacted_changelogs():
    specs = {spec.name: spec for spec in required_topics(Settings(faust_app_id="dost"))}
    assert set(topics.ALL_TOPICS) <= set(specs)
    assert specs["dost-center-days-changelog"].configs == {"cleanup.policy": "compact"}
    assert specs[topics.FEEDBACK_SUBMITTED].configs == {}


@pytest.mark.services
def test_create_is_idempotent_and_a_partition_mismatch_is_a_clear_error(kafka, services_settings):
    name = f"test-topic-{uuid.uuid4().hex[:8]}"
    assert create_topics(services_settings, [TopicSpec(name)]) == [name]
    assert create_topics(services_settings, [TopicSpec(name)]) == []
    other = Settings(**{**services_settings.model_dump(), "topic_partitions": services_settings.topic_partitions + 1})
    with pytest.raises(TopicSetupError, match=f"{name} has {services_settings.topic_partitions} partitions"):
        create_topics(other, [TopicSpec(name)])


def test_unreachable_kafka_is_a_clear_error():
    from dost_feedback.stack.processes import free_port

    settings = Settings(kafka_bootstrap_servers=f"127.0.0.1:{free_port()}")
    with pytest.raises(TopicSetupError, match="cannot reach Kafka"):
        create_topics(settings, timeout_seconds=1)
