"""The local stack: every service on loopback, started in dependency order.

``dost-feedback stack up`` and the test fixtures both build their services here, so
the tests run the system exactly the way a newcomer does.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

from dost_channels.store import ChannelStore
from dost_contract.settings import Settings, settings_env
from dost_feedback.stack.kafka import kafka_service
from dost_feedback.stack.processes import Service, ServiceError, Supervisor, http_ok, require_free_port


def cli_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "dost_feedback", *args]


def logs_dir(settings: Settings) -> Path:
    return settings.run_dir / "logs"


def kafka(settings: Settings) -> Service:
    return kafka_service(settings, settings.kafka_dir / "node", logs_dir(settings) / "kafka.log")


def start_kafka(supervisor: Supervisor, settings: Settings, timeout: float = 120, attempts: int = 2) -> Service:
    """Start the broker, once more if it dies while starting.

    On a loaded 2-core machine the single KRaft node has been seen to exit at start-up
    (a NullPointerException in its controller) and start cleanly the next time.
    """
    for attempt in range(1, attempts + 1):
        try:
            return supervisor.start(kafka(settings), timeout=timeout)
        except ServiceError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


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
    env = settings_env(
        settings, worker_metrics_port=port, worker_data_dir=settings.state_dir / f"worker-{index}"
    )
    return _worker_service(settings, f"worker-{index}", "worker", port, env)


def sentiment_worker(settings: Settings) -> Service:
    """The sentiment worker: its own process and consumer group (see streams/sentiment/agent.py)."""
    return _worker_service(
        settings, "sentiment-worker", "sentiment-worker", settings.sentiment_metrics_port, settings_env(settings)
    )


def sms_inviter(settings: Settings) -> Service:
    """The SMS-invitation agent: its own process and consumer group (see streams/sms_invitations.py)."""
    return _worker_service(
        settings, "sms-inviter", "sms-inviter", settings.sms_inviter_metrics_port, settings_env(settings)
    )


def web(settings: Settings) -> Service:
    require_free_port("web", settings.web_host, settings.web_port)
    base = f"http://{settings.web_host}:{settings.web_port}"
    return Service(
        name="web",
        argv=cli_argv("web"),
        log_path=logs_dir(settings) / "web.log",
        ready=lambda: http_ok(f"{base}/healthz"),
        env=settings_env(settings),
        url=base,
    )


SIMULATOR_CLIENT_NAME = "local stack simulator"


def simulator_client_key(settings: Settings) -> str:
    """A fresh integration key for the stack's simulator; the previous run's is revoked."""
    store = ChannelStore(settings.channels_db_path)
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
        env=settings_env(settings, client_key=simulator_client_key(settings)),
    )
