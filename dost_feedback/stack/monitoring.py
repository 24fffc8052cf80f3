"""The local monitoring services: Prometheus, Alertmanager and the on-call receiver.

Each ``*_service`` builds an unstarted ``Service`` for ``Supervisor.start``; ``start_*``
starts it and waits until it is ready. Their configs come from
``monitoring.alerting.local_configs.write_local_configs``. Ports and hosts come from settings
(``prometheus_port``, ``alertmanager_port``, ``receiver_port`` and ``*_host``); tests pass a
Settings with ``free_port()`` values. A port already in use raises ``ServiceError`` before
anything starts, so a stray Prometheus on 9090 is never mistaken for ours. Logs go to
``run_dir/logs/<name>.log``, data to ``run_dir/prometheus/data`` and ``run_dir/alertmanager/data``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from dost_contract.settings import PROJECT_ROOT, Settings, settings_env
from dost_feedback.stack.processes import Service, http_ok, require_free_port
from dost_feedback.stack.services import cli_argv
from monitoring.alerting.local_configs import LocalMonitoringConfigs


def prometheus_base_url(settings: Settings) -> str:
    return f"http://{settings.prometheus_host}:{settings.prometheus_port}"


def alertmanager_base_url(settings: Settings) -> str:
    return f"http://{settings.alertmanager_host}:{settings.alertmanager_port}"


def receiver_base_url(settings: Settings) -> str:
    return f"http://{settings.receiver_host}:{settings.receiver_port}"


def _binary_service(name: str, host: str, port: int, argv: Sequence[str], run_dir: Path) -> Service:
    """A Prometheus-style binary on ``host:port``; ready once GET /-/ready answers."""
    require_free_port(name, host, port)
    url = f"http://{host}:{port}"
    return Service(
        name=name,
        argv=[*argv, f"--web.listen-address={host}:{port}"],
        log_path=run_dir / "logs" / f"{name}.log",
        ready=lambda: http_ok(f"{url}/-/ready"),
        url=url,
    )


def prometheus_service(settings: Settings, configs: LocalMonitoringConfigs, run_dir: Path) -> Service:
    return _binary_service(
        "prometheus", settings.prometheus_host, settings.prometheus_port,
        [
            settings.prometheus_binary,
            f"--config.file={configs.prometheus_config}",
            f"--storage.tsdb.path={configs.prometheus_data_dir}",
            # No --web.enable-lifecycle: no process on this machine may reload or stop it over HTTP.
        ],
        run_dir,
    )


def alertmanager_service(settings: Settings, configs: LocalMonitoringConfigs, run_dir: Path) -> Service:
    return _binary_service(
        "alertmanager", settings.alertmanager_host, settings.alertmanager_port,
        [
            settings.alertmanager_binary,
            f"--config.file={configs.alertmanager_config}",
            f"--storage.path={configs.alertmanager_data_dir}",
            # No clustering locally: an empty address skips a 4 s gossip settle wait.
            "--cluster.listen-address=",
        ],
        run_dir,
    )


def receiver_service(settings: Settings, run_dir: Path) -> Service:
    host, port = settings.receiver_host, settings.receiver_port
    require_free_port("oncall-receiver", host, port)
    url = receiver_base_url(settings)
    return Service(
        name="oncall-receiver",
        argv=cli_argv("receiver"),
        log_path=run_dir / "logs" / "oncall-receiver.log",
        ready=lambda: http_ok(f"{url}/healthz"),
        env=settings_env(settings),
        cwd=PROJECT_ROOT,
        url=url,
    )


def start_prometheus(
    settings: Settings, configs: LocalMonitoringConfigs, run_dir: Path, timeout: float = 30.0
) -> Service:
    return prometheus_service(settings, configs, run_dir).start(timeout=timeout)


def start_alertmanager(
    settings: Settings, configs: LocalMonitoringConfigs, run_dir: Path, timeout: float = 30.0
) -> Service:
    return alertmanager_service(settings, configs, run_dir).start(timeout=timeout)


def start_receiver(settings: Settings, run_dir: Path, timeout: float = 30.0) -> Service:
    return receiver_service(settings, run_dir).start(timeout=timeout)
