"""``dost-feedback topics create`` against the session's real broker."""

from __future__ import annotations

import uuid

import pytest

from dost_contract import topics
from streams.topic_setup import required_topics

pytestmark = pytest.mark.services


def test_create_is_idempotent_once_the_topics_exist(kafka, services_settings, cli):
    result = cli("topics", "create", settings=services_settings)
    assert (result.returncode, result.stdout, result.stderr) == (0, "created: none (all exist)\n", "")


def test_create_makes_only_the_missing_changelogs_of_a_new_app_id(kafka, services_settings, cli):
    settings = services_settings.model_copy(update={"faust_app_id": f"dost-cli-test-{uuid.uuid4().hex[:8]}"})
    changelogs = [topics.changelog_topic(settings.faust_app_id, table) for table in topics.TABLES]
    assert {spec.name for spec in required_topics(settings)} - {spec.name for spec in required_topics(
        services_settings)} == set(changelogs)
    first = cli("topics", "create", settings=settings)
    assert (first.returncode, first.stdout) == (0, f"created: {', '.join(changelogs)}\n"), first.stderr
    again = cli("topics", "create", settings=settings)
    assert (again.returncode, again.stdout) == (0, "created: none (all exist)\n"), again.stderr


def test_a_partition_count_other_than_the_topics_have_is_refused(kafka, services_settings, cli):
    partitions = services_settings.topic_partitions
    result = cli("topics", "create", settings=services_settings, env={"DOST_TOPIC_PARTITIONS": str(partitions + 1)})
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"error: topic {required_topics(services_settings)[0].name} has {partitions} partitions "
                             f"but DOST_TOPIC_PARTITIONS={partitions + 1}; they must match\n")
