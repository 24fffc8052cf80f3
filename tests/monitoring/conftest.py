"""Fixtures that run the real monitoring binaries (Prometheus, Alertmanager) and the receiver.

Session-scoped: one receiver, one Alertmanager and (when a test asks) one Prometheus serve
every monitoring test; tests keep apart by using their own center_id. The start-up code is
``dost_feedback.stack.monitoring``, the same that ``dost-feedback stack up`` runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

from dost_contract import metric_names
from dost_contract.settings import Settings
from dost_feedback.stack import monitoring as local
from dost_feedback.stack.processes import Service, free_port
from monitoring.alerting.local_configs import LocalMonitoringConfigs, write_local_configs


@dataclass
class FakeWorkerExporter:
    """Stands in for a stream worker's /metrics: the same gauges, set by the test."""

    target: str
    ratings: Gauge
    satisfied: Gauge
    satisfaction_ratio: Gauge
    satisfaction_target: Gauge
    center_info: Gauge
    ratings_total: Counter
    change_gauges: tuple[Gauge, Gauge, Gauge, Gauge]  # score, since, ratings, unsatisfied

    def set_detectors(self, center_id: str, readings) -> None:
        """The change detectors' gauges from ``streams.detector`` readings, as the worker exports them."""
        score, since, rated, unhappy = self.change_gauges
        for reading in readings:
            labels = {"center_id": center_id, "detector": reading.detector}
            score.labels(**labels).set(reading.score)
            if reading.since_epoch is None:  # no excursion: the worker exports no evidence series
                for gauge in (since, rated, unhappy):
                    try:
                        gauge.remove(center_id, reading.detector)
                    except KeyError:
                        pass
            else:
                since.labels(**labels).set(reading.since_epoch)
                rated.labels(**labels).set(reading.ratings)
                unhappy.labels(**labels).set(reading.unsatisfied)

    def set_window(
        self, center_id: str, window: str, satisfied: int, ratings: int, target: float, region: str | None = None
    ) -> None:
        if region is not None:  # the registry's info gauge (alerts take their region label from it)
            self.center_info.labels(center_id=center_id, region=region, kind="city").set(1)
        self.ratings.labels(center_id=center_id, window=window).set(ratings)
        self.satisfied.labels(center_id=center_id, window=window).set(satisfied)
        self.satisfaction_ratio.labels(center_id=center_id, window=window).set(satisfied / ratings)
        self.satisfaction_target.labels(center_id=center_id).set(target)


@pytest.fixture(scope="session")
def monitoring_run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("monitoring-run")


@pytest.fixture(scope="session")
def monitoring_settings(monitoring_run_dir: Path) -> Settings:
    return Settings(
        profile="dev",
        state_dir=monitoring_run_dir / "state",
        prometheus_port=free_port(),
        alertmanager_port=free_port(),
        receiver_port=free_port(),
    )


@pytest.fixture(scope="session")
def fake_worker() -> Iterator[FakeWorkerExporter]:
    registry = CollectorRegistry()
    center_window = ["center_id", "window"]
    port = free_port()
    exporter = FakeWorkerExporter(
        target=f"127.0.0.1:{port}",
        ratings=Gauge("dost_center_ratings", "ratings in window", center_window, registry=registry),
        satisfied=Gauge("dost_center_satisfied", "satisfied ratings in window", center_window, registry=registry),
        satisfaction_ratio=Gauge(
            "dost_center_satisfaction_ratio", "satisfied / ratings", center_window, registry=registry
        ),
        satisfaction_target=Gauge(
            "dost_center_satisfaction_target", "center target", ["center_id"], registry=registry
        ),
        center_info=Gauge("dost_center_info", "registry center", ["center_id", "region", "kind"], registry=registry),
        ratings_total=Counter(
            "dost_feedback_ratings_total", "ratings counted", ["center_id", "channel", "rating"], registry=registry
        ),
        change_gauges=tuple(  # type: ignore[arg-type]
            Gauge(name, "change detector", ["center_id", "detector"], registry=registry)
            for name in (metric_names.CENTER_CHANGE_SCORE, metric_names.CENTER_CHANGE_SINCE,
                         metric_names.CENTER_CHANGE_RATINGS, metric_names.CENTER_CHANGE_UNSATISFIED)
        ),
    )
    server, thread = start_http_server(port, addr="127.0.0.1", registry=registry)
    yield exporter
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def local_monitoring_configs(
    monitoring_settings: Settings, monitoring_run_dir: Path, fake_worker: FakeWorkerExporter
) -> LocalMonitoringConfigs:
    return write_local_configs(
        monitoring_settings, monitoring_run_dir, worker_targets=[fake_worker.target], profile="dev"
    )


@pytest.fixture(scope="session")
def oncall_receiver(monitoring_settings: Settings, monitoring_run_dir: Path) -> Iterator[Service]:
    service = local.start_receiver(monitoring_settings, monitoring_run_dir)
    yield service
    service.stop()


@pytest.fixture(scope="session")
def alertmanager(
    monitoring_settings: Settings,
    monitoring_run_dir: Path,
    local_monitoring_configs: LocalMonitoringConfigs,
    oncall_receiver: Service,
) -> Iterator[Service]:
    service = local.start_alertmanager(monitoring_settings, local_monitoring_configs, monitoring_run_dir)
    yield service
    service.stop()


@pytest.fixture(scope="session")
def prometheus(
    monitoring_settings: Settings,
    monitoring_run_dir: Path,
    local_monitoring_configs: LocalMonitoringConfigs,
    alertmanager: Service,
) -> Iterator[Service]:
    service = local.start_prometheus(monitoring_settings, local_monitoring_configs, monitoring_run_dir)
    yield service
    service.stop()
