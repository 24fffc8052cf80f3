"""``dost-feedback stack up``: a port already taken stops it at once, naming the port, leaving nothing
running; and the whole stack on PostgreSQL and a Kafka with ACLs (issues 14 and 15)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from kafka import KafkaConsumer, TopicPartition
from pydantic import SecretStr

from dost_channels.db import migrate
from dost_channels.store import ChannelStore, DeviceCheck
from dost_contract import topics
from dost_contract.settings import Settings, settings_env
from dost_contract.settings.kafka import kafka_client_kwargs
from dost_feedback.stack import services as stack_services
from dost_feedback.stack.processes import free_port
from tests.conftest import debian_command, metric_value, wait_for
from tests.dost_feedback.cli.conftest import cli_env


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port that something listens on for the test's duration."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def processes_of(state_dir: Path) -> list[int]:
    """Pids of running processes started with DOST_STATE_DIR=state_dir (the stack's children inherit it)."""
    marker = f"DOST_STATE_DIR={state_dir}\0".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                if marker in (entry / "environ").read_bytes():
                    pids.append(int(entry.name))
            except OSError:  # gone meanwhile, or not ours to read
                continue
    return pids


@pytest.mark.parametrize("taken", ["kafka", "kafka controller"])
def test_stack_up_on_a_taken_port_names_it_and_starts_nothing(cli, tmp_path, taken_port, taken):
    other = free_port()
    kafka_port, controller_port = (taken_port, other) if taken == "kafka" else (other, taken_port)
    try:
        result = cli("stack", "up", "--no-simulator", kafka_bootstrap_servers=f"127.0.0.1:{kafka_port}",
                     kafka_controller_port=controller_port, timeout=120)
        leftovers = processes_of(tmp_path)
    finally:
        for pid in processes_of(tmp_path):  # only if the test fails: what this test's command started
            os.kill(pid, signal.SIGKILL)
    assert result.returncode == 1
    assert result.stdout == f"state and logs under {tmp_path}\nstarting kafka ...\n"
    assert result.stderr == (f"error: {taken}: 127.0.0.1:{taken_port} is already in use (another {taken}?); "
                             "stop it or choose another port through the DOST_ settings\n")
    assert leftovers == [], "stack up left child processes running"


# --- the whole stack on PostgreSQL and a Kafka with ACLs ------------------------------------------

STACK_UP_SECONDS = 240  # a cold Kafka and five workers on a loaded 2-core machine
SEEN_SECONDS = 90  # a record through a worker (first consumer-group joins included)
FOLLOWUP_COMMENT = "Növbə çox uzun idi, işçi kobud danışdı, heç kim kömək etmədi."


def sqlite_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p.read_bytes()[:16] == b"SQLite format 3\x00"]


def metric(url: str, name: str, **labels: str) -> float:
    return metric_value(httpx.get(url, timeout=5).text, name, **labels) or 0.0


def stack_up_and_wait(command: list[str], env: dict[str, str], out: Path, deadline_seconds: float):
    """``dost-feedback stack up`` in the background; returns once it says it is up."""
    log = open(out, "wb")  # noqa: SIM115 - the stack writes into it until it is stopped
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + deadline_seconds
    while "The DOST feedback stack is up:" not in out.read_text(errors="replace"):
        assert process.poll() is None, f"stack up exited with {process.returncode}:\n{out.read_text()}"
        assert time.monotonic() < deadline, f"stack up not up after {deadline_seconds}s:\n{out.read_text()}"
        time.sleep(0.5)
    return process, log


@pytest.mark.services
@pytest.mark.timeout(480)
def test_stack_up_on_postgresql_with_kafka_acls_does_issue_15s_done_when_and_every_service_works_as_itself(
        cli, postgres, tmp_path):
    """Issue 15's done-when, literally, on issue 14's secured broker (DOST_KAFKA_LOCAL_ACLS=true):
    ``db upgrade`` makes the schema in PostgreSQL, ``devices add`` stores the tablet there,
    ``stack up --no-simulator`` accepts its kiosk rating (the worker counts it) and a QR link
    once (202, then 410), and no SQLite file appears under DOST_STATE_DIR. Meanwhile every
    Kafka-using service works as its own principal: the web publishes, the rating worker counts,
    the sentiment worker scores the QR comment, the cases worker opens its follow-up case, the
    queue system's visit gets its SMS invitation from the sms-inviter; a client without
    credentials cannot produce."""
    url = postgres.fresh_database(migrated=False)
    settings = Settings(
        profile="dev", state_dir=tmp_path, database_url=SecretStr(url), kafka_local_acls=True,
        kafka_bootstrap_servers=f"127.0.0.1:{free_port()}", kafka_controller_port=free_port(), web_port=free_port(),
        worker_metrics_port=free_port(), sentiment_metrics_port=free_port(), prometheus_port=free_port(),
        alertmanager_port=free_port(), receiver_port=free_port(), sms_inviter_metrics_port=free_port(),
        followup_metrics_port=free_port(), faust_app_id=f"dost-stack-pg-acl-{uuid.uuid4().hex[:8]}",
    )
    # 1. `dost-feedback db upgrade` creates the schema; `devices add` stores the tablet there.
    upgraded = cli("db", "upgrade", settings=settings)
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.endswith(f": at revision {migrate.head_revision()}\n"), upgraded.stdout
    added = cli("devices", "add", "--center", "baku-1", settings=settings)
    assert added.returncode == 0, added.stderr
    device_token = re.search(r"^token: +(dk_\S+)$", added.stdout, re.MULTILINE).group(1)
    store = ChannelStore(url)
    assert store.check_device(device_token, "baku-1")[0] == DeviceCheck.OK  # stored in PostgreSQL
    qr = cli("qr", "--center", "baku-1", "--out", str(tmp_path.parent / f"{tmp_path.name}-ticket.svg"),
             settings=settings)
    assert qr.returncode == 0, qr.stderr
    qr_token = qr.stderr.split("/r/")[1].split()[0]

    # 2. `dost-feedback stack up --no-simulator`, with every DOST_ setting in its environment.
    out = tmp_path.parent / f"{tmp_path.name}-stack-up.log"  # outside the state dir the SQLite check reads
    process, log = stack_up_and_wait([sys.executable, "-m", "dost_feedback", "stack", "up", "--no-simulator"],
                                     cli_env(settings), out, STACK_UP_SECONDS)
    web = f"http://127.0.0.1:{settings.web_port}"
    worker_metrics = f"http://127.0.0.1:{settings.worker_metrics_port}/metrics"
    try:
        # A client without credentials cannot produce, and nothing of it reaches the topic.
        admin = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers,
                              **kafka_client_kwargs(stack_services.admin_settings(settings)))
        partitions = [TopicPartition(topics.FEEDBACK_SUBMITTED, p) for p in range(settings.topic_partitions)]
        before = admin.end_offsets(partitions)
        forged = subprocess.run([debian_command("kcat", "kcat"), "-b", settings.kafka_bootstrap_servers, "-P",
                                 "-t", topics.FEEDBACK_SUBMITTED, "-m", "5"], input="forged\n", capture_output=True,
                                text=True, timeout=30, check=False)
        assert forged.returncode != 0, forged.stderr
        assert admin.end_offsets(partitions) == before
        admin.close()

        # The kiosk rating with the device's token: accepted, then counted by the rating worker.
        kiosk = httpx.post(f"{web}/api/v1/feedback", headers={"Authorization": f"Bearer {device_token}"},
                           json={"center_id": "baku-1", "rating": 5, "channel": "kiosk"}, timeout=15)
        assert kiosk.status_code == 202, kiosk.text
        # The QR link works exactly once; its unhappy comment is for the sentiment and cases workers.
        first = httpx.post(f"{web}/r/{qr_token}", json={"rating": 1, "comment": FOLLOWUP_COMMENT}, timeout=15)
        assert first.status_code == 202, first.text
        second = httpx.post(f"{web}/r/{qr_token}", json={"rating": 1}, timeout=15)
        assert (second.status_code, second.json()["code"]) == (410, "qr_used")

        # The queue system publishes a finished visit as its own principal.
        visit_id = str(uuid.uuid4())
        queue_env = settings_env(stack_services.principal_settings(settings, "queue-system"))
        visit = subprocess.run([sys.executable, "-m", "dost_feedback", "visit-completed", "--center", "baku-1",
                                "--phone", "+994501234567", "--language", "az", "--visit-id", visit_id],
                               env={**cli_env(settings), **queue_env}, capture_output=True, text=True, timeout=60,
                               check=False)
        assert visit.returncode == 0, visit.stderr

        wait_for(lambda: metric(worker_metrics, "dost_feedback_ratings_total", center_id="baku-1", channel="kiosk",
                                rating="5") >= 1, SEEN_SECONDS, "the rating worker counted the kiosk rating")
        wait_for(lambda: metric(worker_metrics, "dost_feedback_ratings_total", center_id="baku-1", channel="qr",
                                rating="1") >= 1, SEEN_SECONDS, "the rating worker counted the QR rating")
        sentiment_metrics = f"http://127.0.0.1:{settings.sentiment_metrics_port}/metrics"
        wait_for(lambda: sum(metric(sentiment_metrics, "dost_comment_sentiment_total", center_id="baku-1", label=label)
                             for label in ("negative", "neutral", "positive")) >= 1,
                 SEEN_SECONDS, "the sentiment worker scored the QR comment")

        def invitations() -> list[dict]:
            path = settings.sms_outbox_path
            lines = path.read_text().splitlines() if path.exists() else []
            return [r for r in map(json.loads, lines) if r["purpose"] == "invitation" and r["message_id"] == visit_id]

        wait_for(invitations, SEEN_SECONDS, "the sms-inviter sent the visit's invitation")

        def qr_case() -> list[dict]:
            listed = cli("cases", "list", "--center", "baku-1", "--json", settings=settings)
            assert listed.returncode == 0, listed.stderr
            return [c for c in json.loads(listed.stdout) if c["feedback_id"] == first.json()["feedback_id"]]

        [case] = wait_for(qr_case, SEEN_SECONDS, "the cases worker opened a case for the unhappy QR rating")
        assert case["status"] == "open"

        # The on-call receiver lists what it got only for the token the stack wrote for Alertmanager.
        receiver = f"http://127.0.0.1:{settings.receiver_port}/alerts"
        token_file = settings.run_dir / "alertmanager" / "oncall-webhook-token"
        assert f"$(cat {token_file})" in out.read_text()  # the command stack up prints
        assert httpx.get(receiver, timeout=5).status_code == 401
        listed = httpx.get(receiver, headers={"Authorization": f"Bearer {token_file.read_text()}"}, timeout=5)
        assert listed.status_code == 200 and isinstance(listed.json(), list)

        logs = {p.name: p.read_text(errors="replace") for p in stack_services.logs_dir(settings).glob("*.log")}
        assert {"web.log", "worker-1.log", "sentiment-worker.log", "sms-inviter.log", "cases-worker.log"} <= set(logs)
        refused = [name for name, text in logs.items() if name != "kafka.log" and "Authorization failed" in text]
        assert refused == [], f"services asked for more than their grants: {refused}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        finally:
            log.close()
            for pid in processes_of(tmp_path):  # only if it did not stop: what this test started
                os.kill(pid, signal.SIGKILL)
    assert process.returncode == 0, out.read_text()
    assert "stopped." in out.read_text()
    assert store.qr_token(qr_token).used_at is not None  # claimed in PostgreSQL
    store.close()
    # Everything lived in PostgreSQL: no SQLite file anywhere under DOST_STATE_DIR.
    assert sqlite_files(tmp_path) == []
