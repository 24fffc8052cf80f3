"""Shared fixtures: the real services, started once per test session on free ports.

Each fixture starts the same service that ``dost-feedback stack up`` starts (see
``dost_feedback/stack/``), with its state in a temporary directory.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Callable, Iterator

import httpx
import pytest

from dost_channels.store import ChannelStore
from dost_contract.settings import Settings
from dost_feedback.stack import services as stack
from dost_feedback.stack.processes import Service, Supervisor, free_port
from streams.topic_setup import create_topics
from tests.postgres import PostgresServer


def wait_for(predicate: Callable[[], object], timeout: float, message: str, interval: float = 0.5):
    """Poll until ``predicate()`` is truthy; fail with ``message`` and the last value otherwise."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f}s: {message} (last value: {last!r})")


@pytest.fixture(scope="session")
def services_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the session's services: loopback, free ports, dev profile."""
    return Settings(
        profile="dev",
        state_dir=tmp_path_factory.mktemp("dost-state"),
        kafka_bootstrap_servers=f"127.0.0.1:{free_port()}",
        kafka_controller_port=free_port(),
        web_port=free_port(),
        worker_metrics_port=free_port(),
        sentiment_metrics_port=free_port(),
        prometheus_port=free_port(),
        alertmanager_port=free_port(),
        receiver_port=free_port(),
        sms_inviter_metrics_port=free_port(),
        followup_metrics_port=free_port(),
        faust_app_id=f"dost-feedback-test-{uuid.uuid4().hex[:8]}",
        kiosk_reset_seconds=3,  # the kiosk's thank-you screen resets quickly in browser tests
        # Every test and the fuzzer call from 127.0.0.1; test_guards.py tests the per-IP limit itself.
        public_rate_limit_burst=1_000_000,
    )


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL 15 (Debian's package) on a free port; ``fresh_database()`` per test."""
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Each store test runs twice: on an embedded SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "store.sqlite3"
    return request.getfixturevalue("postgres").fresh_database()


@pytest.fixture(scope="session")
def supervisor() -> Iterator[Supervisor]:
    sup = Supervisor()
    yield sup
    sup.stop_all()


@pytest.fixture(scope="session")
def kafka(services_settings: Settings, supervisor: Supervisor) -> Service:
    """A real Apache Kafka broker (KRaft, single node) with the contract's topics."""
    service = stack.start_kafka(supervisor, services_settings)
    create_topics(services_settings)
    return service


@pytest.fixture(scope="session")
def worker(kafka: Service, services_settings: Settings, supervisor: Supervisor) -> Service:
    """One Faust stream worker that owns every partition."""
    service = supervisor.start(
        stack.worker(services_settings, metrics_port=services_settings.worker_metrics_port), timeout=120
    )
    wait_for(
        lambda: f"dost_worker_assigned_partitions {services_settings.topic_partitions:.1f}"
        in httpx.get(service.url).text,
        timeout=60,
        message="worker to own every partition",
    )
    return service


@pytest.fixture(scope="session")
def sentiment_worker(kafka: Service, services_settings: Settings, supervisor: Supervisor) -> Service:
    """The sentiment worker (its own process and consumer group), serving the model setup built."""
    return supervisor.start(stack.sentiment_worker(services_settings), timeout=120)


@pytest.fixture(scope="session")
def sms_inviter(kafka: Service, services_settings: Settings, supervisor: Supervisor) -> Service:
    """The SMS-invitation agent (its own process and consumer group), on the dev log gateway."""
    return supervisor.start(stack.sms_inviter(services_settings), timeout=120)


@pytest.fixture(scope="session")
def cases_worker(kafka: Service, services_settings: Settings, supervisor: Supervisor) -> Service:
    """The follow-up case agent (its own process and consumer group), on the session's channel database."""
    return supervisor.start(stack.cases_worker(services_settings), timeout=120)


@pytest.fixture(scope="session")
def web(kafka: Service, services_settings: Settings, supervisor: Supervisor) -> Service:
    return supervisor.start(stack.web(services_settings))


@pytest.fixture(scope="session")
def client_key(services_settings: Settings) -> str:
    """An integration client key for every center, channels web and kiosk (as the stack's simulator has)."""
    store = ChannelStore(services_settings.channels_db_path)
    try:
        return store.add_client("tests", None, ["web", "kiosk"])[1]
    finally:
        store.close()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def read_topic(settings: Settings, topic: str, timeout: float = 15.0) -> list[tuple[bytes, dict]]:
    """Every JSON-object record in ``topic`` up to its current end offsets, as (key, value).

    Records that are not JSON objects (the dead-letter tests write some on purpose) are skipped.
    """
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False, group_id=None
    )
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end_offsets = consumer.end_offsets(partitions)
        records: list[tuple[bytes, dict]] = []
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < end_offsets[tp] for tp in partitions):
            if time.monotonic() > deadline:
                pytest.fail(f"could not read {topic} to its end within {timeout}s")
            for batch in consumer.poll(timeout_ms=500).values():
                for record in batch:
                    value = _json_object(record.value)
                    if value is not None:
                        records.append((record.key, value))
        return records
    finally:
        consumer.close()


def _json_object(raw: bytes | None) -> dict | None:
    try:
        value = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def metric_value(metrics_text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text exposition, or None if absent."""
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return None


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


# --- Monitoring: the real Prometheus, Alertmanager and on-call receiver -------------


@pytest.fixture(scope="session")
def monitoring_configs(services_settings: Settings):
    from monitoring.alerting.local_configs import write_local_configs

    s = services_settings
    return write_local_configs(
        s,
        s.run_dir,
        worker_targets=[f"{s.worker_metrics_host}:{s.worker_metrics_port}"],
        web_targets=[f"{s.web_host}:{s.web_port}"],
        sentiment_targets=[f"{s.worker_metrics_host}:{s.sentiment_metrics_port}"],
        followup_targets=[f"{s.worker_metrics_host}:{s.followup_metrics_port}"],
    )


@pytest.fixture(scope="session")
def receiver(services_settings: Settings, supervisor: Supervisor) -> Service:
    from dost_feedback.stack.monitoring import receiver_service

    return supervisor.start(receiver_service(services_settings, services_settings.run_dir))


@pytest.fixture(scope="session")
def alertmanager(services_settings: Settings, supervisor: Supervisor, monitoring_configs, receiver) -> Service:
    from dost_feedback.stack.monitoring import alertmanager_service

    return supervisor.start(alertmanager_service(services_settings, monitoring_configs, services_settings.run_dir))


@pytest.fixture(scope="session")
def prometheus(services_settings: Settings, supervisor: Supervisor, monitoring_configs, alertmanager) -> Service:
    from dost_feedback.stack.monitoring import prometheus_service

    return supervisor.start(prometheus_service(services_settings, monitoring_configs, services_settings.run_dir))


def prometheus_query(prometheus: Service, expr: str) -> list[dict]:
    response = httpx.get(f"{prometheus.url}/api/v1/query", params={"query": expr}, timeout=10)
    response.raise_for_status()
    return response.json()["data"]["result"]


def debian_command(command: str, package: str) -> str:
    """The path of ``command``, installing its Debian package first when it is missing (as
    scripts/setup.sh does): a missing tool is set up, never a reason to skip."""
    import os
    import shutil
    import subprocess

    found = shutil.which(command)
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env, timeout=300)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],
                   check=True, env=env, timeout=600)
    found = shutil.which(command)
    assert found, f"apt-get installed {package} but {command} is not on PATH"
    return found


def kcat_produce(settings: Settings, topic: str, records: list[tuple[bytes, bytes]], workdir: Path,
                 partitioner: str = "murmur2_random") -> None:
    """Produce (key, value) records with kcat (librdkafka), a client nobody here wrote.

    ``murmur2_random`` is librdkafka's Java-compatible partitioner, the one our producers'
    clients use; ``consistent_random`` (librdkafka's own default, CRC32) puts most centers on
    another partition, which the worker must forward (streams.counting)."""
    import subprocess

    kcat = debian_command("kcat", "kcat")
    lines = workdir / f"{topic}-{uuid.uuid4().hex[:6]}.tsv"
    with open(lines, "wb") as out:
        for key, value in records:
            assert b"\t" not in key and b"\n" not in value
            out.write(key + b"\t" + value + b"\n")
    subprocess.run([kcat, "-b", settings.kafka_bootstrap_servers, "-P", "-t", topic, "-K", "\t",
                    "-X", "linger.ms=20", "-X", "acks=all", "-X", f"topic.partitioner={partitioner}", "-l", str(lines)], check=True, timeout=300)
