import base64
import uuid
from pathlib import Path

import pytest

from dost_contract.settings import Settings, settings_env
from dost_feedback.stack.kafka import KafkaSetupError, new_cluster_id, render_server_properties, split_host_port


def test_cluster_id_is_a_base64_uuid_kafka_accepts():
    for _ in range(200):
        cluster_id = new_cluster_id()
        assert len(cluster_id) == 22 and not cluster_id.startswith("-")
        uuid.UUID(bytes=base64.urlsafe_b64decode(cluster_id + "=="))


def test_server_properties_are_kraft_on_loopback():
    text = render_server_properties(19092, 19093, Path("/data/k"), 6)
    props = dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    assert props["process.roles"] == "broker,controller"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["log.dirs"] == "/data/k"
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["auto.create.topics.enable"] == "false"


@pytest.mark.parametrize("address,expected", [("127.0.0.1:9092", ("127.0.0.1", 9092)), ("a:1,b:2", ("a", 1))])
def test_split_host_port(address, expected):
    assert split_host_port(address) == expected


def test_split_host_port_rejects_garbage():
    with pytest.raises(KafkaSetupError, match="HOST:PORT"):
        split_host_port("localhost")


def test_settings_survive_the_trip_through_child_environment(monkeypatch, tmp_path):
    settings = Settings(web_port=1234, state_dir=tmp_path, alert_min_ratings=12)
    for name, value in settings_env(settings).items():
        monkeypatch.setenv(name, value)
    assert Settings() == settings
