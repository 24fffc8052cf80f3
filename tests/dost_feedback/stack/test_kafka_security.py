"""The local Kafka with SASL/SCRAM and StandardAuthorizer ACLs: an unauthenticated client is
refused, each principal may do only what it needs, and the services still work as themselves."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError

from dost_contract import topics
from dost_contract.events import FeedbackSubmitted
from dost_contract.settings import Settings
from dost_contract.settings.kafka import KafkaCredentialsError, kafka_client_kwargs
from dost_feedback.stack import services as stack
from dost_feedback.stack.kafka import render_server_properties
from dost_feedback.stack.kafka_security import (
    ADMIN,
    acl_bindings,
    principal_env,
    principal_grants,
    scram_format_args,
)
from dost_feedback.stack.processes import Service, Supervisor, free_port
from feedback_web.publisher import FeedbackPublisher
from streams.partitioning import partition_for_center
from streams.topic_setup import create_topics
from tests.conftest import metric_value, wait_for

pytestmark = [pytest.mark.services, pytest.mark.timeout(240)]


# --- pure parts ---------------------------------------------------------------------------


def test_the_web_may_only_produce_ratings_and_only_the_sms_inviter_reads_visits():
    grants = principal_grants("dost-feedback", "dost-feedback-sentiment")
    assert [(g.resource, g.name, g.operations) for g in grants["web"]] == [
        ("TOPIC", topics.FEEDBACK_SUBMITTED, ("WRITE", "DESCRIBE"))]
    readers = {principal for principal, granted in grants.items() for g in granted
               if g.name == topics.VISITS_COMPLETED and "READ" in g.operations}
    assert readers == {"sms-inviter"}  # visits carry the encrypted phone
    assert ADMIN not in grants  # the super user needs no ACL
    acls = acl_bindings({"web": grants["web"]})
    assert sorted(acl.operation.name for acl in acls) == ["DESCRIBE", "WRITE"]
    assert {acl.principal for acl in acls} == {"User:web"}


def test_the_secured_broker_config_has_no_plaintext_listener(tmp_path: Path):
    text = render_server_properties(9092, 9093, tmp_path, 3, secured=True)
    listeners = [line for line in text.splitlines() if line.startswith("listeners=")]
    assert listeners == ["listeners=SASL_PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"]
    assert "PLAINTEXT://" not in text.replace("SASL_PLAINTEXT://", "")
    assert "allow.everyone.if.no.acl.found=false" in text and "StandardAuthorizer" in text
    assert scram_format_args(["web"]) == ["--add-scram", "SCRAM-SHA-512=[name=web,password=dev-only-kafka-web]"]


def test_client_kwargs_come_from_one_place_and_need_a_principal():
    assert kafka_client_kwargs(Settings()) == {}
    secured = Settings(**principal_env("web"))
    assert kafka_client_kwargs(secured) == {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
                                            "sasl_plain_username": "web", "sasl_plain_password": "dev-only-kafka-web"}
    with pytest.raises(KafkaCredentialsError, match="DOST_KAFKA_USERNAME and DOST_KAFKA_PASSWORD"):
        kafka_client_kwargs(Settings(kafka_security_protocol="SASL_PLAINTEXT"))


# --- against the real broker ----------------------------------------------------------------


@pytest.fixture(scope="module")
def secured(tmp_path_factory) -> Iterator[tuple[Settings, Supervisor]]:
    tmp = tmp_path_factory.mktemp("kafka-acls")
    settings = Settings(state_dir=tmp, kafka_local_acls=True, kafka_bootstrap_servers=f"127.0.0.1:{free_port()}",
                        kafka_controller_port=free_port(), worker_metrics_port=free_port(), topic_partitions=2,
                        faust_app_id=f"dost-acl-{uuid.uuid4().hex[:8]}", broker_session_timeout_seconds=6,
                        broker_heartbeat_interval_seconds=1)
    supervisor = Supervisor()
    try:
        stack.start_kafka(supervisor, settings)
        create_topics(stack.admin_settings(settings))
        yield settings, supervisor
    finally:
        supervisor.stop_all()


as_principal = stack.principal_settings


def kcat(settings: Settings, principal: str, *args: str, input_text: str | None = None) -> subprocess.CompletedProcess:
    """kcat as ``principal`` (SASL/SCRAM), the way an operator would."""
    credentials = kafka_client_kwargs(stack.principal_settings(settings, principal))
    sasl = ["-X", "security.protocol=SASL_PLAINTEXT", "-X", f"sasl.mechanisms={credentials['sasl_mechanism']}",
            "-X", f"sasl.username={principal}", "-X", f"sasl.password={credentials['sasl_plain_password']}"]
    return subprocess.run(["kcat", "-b", settings.kafka_bootstrap_servers, *sasl, *args], input=input_text,
                          capture_output=True, text=True, timeout=60)


def rating(center_id: str = "baku-1") -> FeedbackSubmitted:
    now = datetime.now(timezone.utc)
    return FeedbackSubmitted(feedback_id=uuid.uuid4(), center_id=center_id, channel="kiosk", rating=5,
                             submitted_at=now, received_at=now)


def test_a_client_without_credentials_cannot_produce(secured):
    settings, _ = secured
    with pytest.raises(KafkaError):
        producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, max_block_ms=5000)
        producer.send(topics.FEEDBACK_SUBMITTED, b"x").get(timeout=5)
    # kcat, the way an operator would try it, is refused too.
    result = subprocess.run(["kcat", "-b", settings.kafka_bootstrap_servers, "-P", "-t", topics.FEEDBACK_SUBMITTED,
                             "-m", "5"], input="forged\n", capture_output=True, text=True, timeout=30)
    assert result.returncode != 0, result.stderr
    # With the admin's credentials it works: the refusal above was authentication.
    admin = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, **kafka_client_kwargs(
        stack.admin_settings(settings)), consumer_timeout_ms=3000, auto_offset_reset="earliest")
    partitions = [TopicPartition(topics.FEEDBACK_SUBMITTED, p) for p in range(settings.topic_partitions)]
    assert sum(admin.end_offsets(partitions).values()) == 0  # nothing forged got in
    admin.close()


def test_the_web_produces_ratings_but_cannot_read_visits_or_write_them(secured):
    settings, _ = secured
    web = as_principal(settings, "web")

    async def publish() -> None:
        publisher = FeedbackPublisher(web)
        try:
            await publisher.publish(rating())
        finally:
            await publisher.close()

    asyncio.run(publish())  # the real web publisher, as principal "web"

    # kcat as the web: it may not read visits.completed (encrypted phones) nor write to it ...
    read = kcat(settings, "web", "-C", "-t", topics.VISITS_COMPLETED, "-o", "beginning", "-e")
    assert read.returncode != 0 and "authorization failed" in read.stderr.lower(), read.stderr
    write = kcat(settings, "web", "-P", "-t", topics.VISITS_COMPLETED, input_text="forged\n")
    assert write.returncode != 0 and "authorization failed" in write.stderr.lower(), write.stderr
    # ... while the rating it published is there for the worker to read.
    ratings = kcat(settings, "worker", "-C", "-t", topics.FEEDBACK_SUBMITTED, "-o", "beginning", "-e")
    assert ratings.returncode == 0 and '"center_id":"baku-1"' in ratings.stdout.replace(" ", ""), ratings.stderr


def test_the_queue_system_publishes_visits_as_itself(secured):
    settings, _ = secured
    from dost_contract.settings import settings_env
    from dost_feedback.stack.services import cli_argv

    env = settings_env(as_principal(settings, "queue-system"))
    result = subprocess.run(cli_argv("visit-completed", "--center", "baku-1", "--phone", "+994501234567",
                                     "--language", "az"), env={**env, "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    as_web = settings_env(as_principal(settings, "web"))
    refused = subprocess.run(cli_argv("visit-completed", "--center", "baku-1", "--phone", "+994501234567",
                                      "--language", "az"), env={**as_web, "PATH": "/usr/bin:/bin"},
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0


def test_the_stream_worker_counts_ratings_as_its_own_principal(secured):
    settings, supervisor = secured
    worker: Service = supervisor.start(stack.worker(settings, metrics_port=settings.worker_metrics_port), timeout=150)
    web = as_principal(settings, "web")

    async def publish() -> None:
        publisher = FeedbackPublisher(web)
        try:
            for _ in range(3):
                await publisher.publish(rating("baku-2"))
        finally:
            await publisher.close()

    asyncio.run(publish())
    # A fourth on the other partition, as a client with another partitioner would put it: the
    # worker forwards it to baku-2's partition, which its grants must allow.
    elsewhere = 1 - partition_for_center("baku-2", settings.topic_partitions)
    sent = kcat(settings, "web", "-P", "-t", topics.FEEDBACK_SUBMITTED, "-p", str(elsewhere), "-K", "\t",
                input_text="baku-2\t" + rating("baku-2").model_dump_json() + "\n")
    assert sent.returncode == 0, sent.stderr

    def counted() -> float | None:
        text = httpx.get(f"http://127.0.0.1:{settings.worker_metrics_port}/metrics", timeout=5).text
        return metric_value(text, "dost_feedback_ratings_total", center_id="baku-2", channel="kiosk", rating="5")

    assert wait_for(lambda: (counted() or 0) >= 4, 90, "the worker counted the ratings under ACLs")
    assert "Authorization failed" not in worker.log_path.read_text()  # it needed nothing it was not granted


def test_kafka_setup_creates_the_principals_with_real_passwords(secured):
    """What docker-compose's kafka-setup runs: SCRAM users from DOST_KAFKA_PRINCIPAL_PASSWORDS, and the ACLs."""
    settings, _ = secured
    from dost_contract.settings import settings_env
    from dost_feedback.stack.services import cli_argv

    passwords = {name: f"real-{name}-password" for name in principal_grants("dost-feedback", "dost-feedback-sentiment")}
    env = settings_env(stack.admin_settings(settings), kafka_principal_passwords=passwords)
    result = subprocess.run(cli_argv("kafka", "setup"), env={**env, "PATH": "/usr/bin:/bin"}, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["users"] == sorted(passwords)
    sasl = ["-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=web"]
    listing = ["kcat", "-b", settings.kafka_bootstrap_servers, *sasl, "-L", "-t", topics.FEEDBACK_SUBMITTED]
    new = subprocess.run([*listing, "-X", "sasl.password=real-web-password"], capture_output=True, text=True,
                         timeout=60)
    assert new.returncode == 0, new.stderr
    old = subprocess.run([*listing, "-X", "sasl.password=dev-only-kafka-web"], capture_output=True, text=True,
                         timeout=60)
    assert old.returncode != 0  # the password was replaced
