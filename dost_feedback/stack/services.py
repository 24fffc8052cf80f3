"""The local stack: every service on loopback, started in dependency order.

``dost-feedback stack up`` and the test fixtures both build their services here, so
the tests run the system exactly the way a newcomer does.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Sequence

from pydantic import SecretStr

from dost_channels.store import ChannelStore
from dost_contract.settings import Settings, settings_env
from dost_feedback.stack.kafka import kafka_service, sentiment_app_id
from dost_feedback.stack.kafka_security import ADMIN, apply_acls, dev_password, principal_env, principal_grants
from dost_feedback.stack.processes import Service, ServiceError, Supervisor, http_ok, require_free_port


def cli_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "dost_feedback", *args]


def logs_dir(settings: Settings) -> Path:
    return settings.run_dir / "logs"


def kafka(settings: Settings) -> Service:
    return kafka_service(settings, settings.kafka_dir / "node", logs_dir(settings) / "kafka.log")


def service_env(settings: Settings, principal: str, **overrides: object) -> dict[str, str]:
    """A service's environment; with DOST_KAFKA_LOCAL_ACLS, it connects as its own Kafka principal."""
    security = principal_env(principal) if settings.kafka_local_acls else {}
    return settings_env(settings, **security, **overrides)


def principal_settings(settings: Settings, principal: str) -> Settings:
    """``settings`` as Kafka principal ``principal`` of the local broker."""
    password = SecretStr(dev_password(principal))
    return settings.model_copy(update={**principal_env(principal), "kafka_password": password})


def admin_settings(settings: Settings) -> Settings:
    """``settings`` as the broker's admin principal (topic creation), when the broker has ACLs."""
    return principal_settings(settings, ADMIN) if settings.kafka_local_acls else settings


def start_kafka(supervisor: Supervisor, settings: Settings, timeout: float = 120, attempts: int = 2) -> Service:
    """Start the broker, once more if it dies while starting.

    On a loaded 2-core machine the single KRaft node has been seen to exit at start-up
    (a NullPointerException in its controller) and start cleanly the next time.
    """
    for attempt in range(1, attempts + 1):
        try:
            service = supervisor.start(kafka(settings), timeout=timeout)
            if settings.kafka_local_acls:
                _apply_acls_when_ready(settings, timeout)
            return service
        except ServiceError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def _apply_acls_when_ready(settings: Settings, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    grants = principal_grants(settings.faust_app_id, sentiment_app_id(settings))
    while True:
        try:
            apply_acls(settings.kafka_bootstrap_servers, grants)
            return
        except Exception:  # the SASL listener answers a moment after the port opens
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _worker_service(settings: Settings, name: str, command: str, port: int, env: dict[str, str]) -> Service:
    """A worker process; it is ready once its Prometheus endpoint answers."""
    host = settings.worker_metrics_host
    require_free_port(f"{name} metrics", host, port)
    url = f"http://{host}:{port}/metrics"
    return Service(
        name=name,
        argv=cli_argv(command),
        log_path=logs_dir(settings) / f"{name}.log",
        ready=lambda: http_ok(url),
        env=env,
        url=url,
    )


def worker(settings: Settings, index: int = 1, metrics_port: int | None = None) -> Service:
    port = metrics_port or settings.worker_metrics_port + index - 1
    env = service_env(
        settings, "worker", worker_metrics_port=port, worker_data_dir=settings.state_dir / f"worker-{index}"
    )
    return _worker_service(settings, f"worker-{index}", "worker", port, env)


def sentiment_worker(settings: Settings) -> Service:
    """The sentiment worker: its own process and consumer group (see streams/sentiment/agent.py)."""
    return _worker_service(
        settings, "sentiment-worker", "sentiment-worker", settings.sentiment_metrics_port,
        service_env(settings, "sentiment-worker")
    )


def sms_inviter(settings: Settings) -> Service:
    """The SMS-invitation agent: its own process and consumer group (see streams/sms_invitations.py)."""
    return _worker_service(
        settings, "sms-inviter", "sms-inviter", settings.sms_inviter_metrics_port, service_env(settings, "sms-inviter")
    )


def cases_worker(settings: Settings) -> Service:
    """The follow-up case agent: its own process and consumer group (see streams/followup/agent.py)."""
    return _worker_service(
        settings, "cases-worker", "cases-worker", settings.followup_metrics_port, service_env(settings, "cases-worker")
    )


def web(settings: Settings) -> Service:
    require_free_port("web", settings.web_host, settings.web_port)
    base = f"http://{settings.web_host}:{settings.web_port}"
    return Service(
        name="web",
        argv=cli_argv("web"),
        log_path=logs_dir(settings) / "web.log",
        ready=lambda: http_ok(f"{base}/healthz"),
        env=service_env(settings, "web"),
        url=base,
    )


SIMULATOR_CLIENT_NAME = "local stack simulator"


def simulator_client_key(settings: Settings) -> str:
    """A fresh integration key for the stack's simulator; the previous run's is revoked."""
    store = ChannelStore(settings.channels_database)
    try:
        for client in store.clients():
            if client.name == SIMULATOR_CLIENT_NAME and client.revoked_at is None:
                store.revoke_client(client.client_id)
        return store.add_client(SIMULATOR_CLIENT_NAME, None, ["web", "kiosk"])[1]
    finally:
        store.close()


def simulator(settings: Settings, simulate_args: Sequence[str]) -> Service:
    return Service(
        name="simulator",
        argv=cli_argv("simulate", *simulate_args),
        log_path=logs_dir(settings) / "simulator.log",
        ready=lambda: True,
        env=service_env(settings, "simulator", client_key=simulator_client_key(settings)),
    )
