"""The one configuration object. Every knob is an env var prefixed ``DOST_``.

Defaults are the local loopback stack; docker-compose and production override
them through the environment.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# A Prometheus/Alertmanager duration such as "30s", "10m", "1h30m".
PrometheusDuration = Annotated[str, Field(pattern=r"^([0-9]+(ms|s|m|h|d|w|y))+$")]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOST_", env_file=None, extra="ignore")

    # Which timing profile the rendered Prometheus/Alertmanager configs use.
    # "dev": 2 s scrapes and seconds-long `for:` so a newcomer sees alerts in a minute;
    # "prod": the shipped production values.
    profile: Literal["dev", "prod"] = "dev"

    # --- Kafka -------------------------------------------------------------------
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_controller_port: int = 9095  # local KRaft controller listener
    topic_partitions: int = Field(6, ge=1)
    topic_replication_factor: int = Field(1, ge=1)
    kafka_heap: str = "512m"
    # Jars fetched from Maven Central; shared by every local broker (stack and tests).
    kafka_libs_dir: Path = PROJECT_ROOT / ".dost" / "kafka-libs"

    # --- Stream worker -------------------------------------------------------------
    faust_app_id: str = "dost-feedback"
    worker_metrics_host: str = "127.0.0.1"
    worker_metrics_port: int = 9101
    worker_data_dir: Path | None = None  # Faust's local state dir; default under state_dir
    # Short session timeouts make group joins take seconds instead of tens of seconds.
    broker_session_timeout_seconds: float = 6.0
    broker_heartbeat_interval_seconds: float = 1.0
    metrics_refresh_seconds: float = Field(1.0, gt=0)

    # --- Sentiment of comments (models/, streams/sentiment_agent.py) ----------------------
    # A local model directory or a hub model id (any text-classification checkpoint).
    # The default is built offline by `dost-feedback models build` (scripts/setup.sh runs it).
    sentiment_model: str = str(PROJECT_ROOT / ".dost" / "models" / "sentiment")
    # auto: ONNX Runtime when the directory has onnx/<sentiment_onnx_file>, else transformers.
    sentiment_runtime: Literal["auto", "onnx", "transformers"] = "auto"
    sentiment_onnx_file: str = "model.int8.onnx"
    sentiment_max_tokens: int = Field(128, ge=8, le=512)
    sentiment_batch_size: int = Field(32, ge=1)  # comments per model call, and per stream.take()
    # How long the sentiment agent waits to fill a batch before scoring what it has.
    sentiment_batch_within_seconds: float = Field(0.5, gt=0)
    sentiment_threads: int = Field(0, ge=0)  # inference threads; 0: one per core
    sentiment_metrics_port: int = 9103  # the sentiment worker's /metrics, on worker_metrics_host

    # --- Web -----------------------------------------------------------------------
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    publish_timeout_seconds: float = Field(5.0, gt=0)
    # A submission may carry a clock a little ahead of ours; further ahead is rejected.
    max_clock_skew_seconds: int = 300

    # --- Centers -------------------------------------------------------------------
    centers_file: Path = PROJECT_ROOT / "config" / "centers.yaml"
    planned_centers_file: Path = PROJECT_ROOT / "config" / "centers.planned.yaml"
    include_planned_centers: bool = False
    default_target: float = Field(0.985, gt=0, lt=1)

    # --- Monitoring ----------------------------------------------------------------
    alert_min_ratings: int = Field(30, ge=1)
    prometheus_port: int = 9090
    alertmanager_port: int = 9093
    receiver_host: str = "127.0.0.1"
    receiver_port: int = 9097
    grafana_url: str = "http://127.0.0.1:3000"
    prometheus_host: str = "127.0.0.1"
    alertmanager_host: str = "127.0.0.1"
    prometheus_binary: str = "prometheus"
    promtool_binary: str = "promtool"
    alertmanager_binary: str = "prometheus-alertmanager"
    amtool_binary: str = "amtool"
    # Where alert annotations point for the runbook (the alerts section of docs/operations.md).
    runbook_base_url: str = "docs/operations.md"
    # How many received notifications the on-call receiver keeps for GET /alerts.
    receiver_history_size: int = Field(1000, ge=1)

    # Timings per monitoring profile (see monitoring/profiles.py), as Prometheus durations.
    # prod: the shipped production values. The page needs statistical evidence, so it can
    # fire sooner than the ratio-only warning, which waits out short dips.
    alert_warning_for_prod: PrometheusDuration = "30m"
    alert_page_for_prod: PrometheusDuration = "10m"
    alert_worker_down_for_prod: PrometheusDuration = "2m"
    prometheus_scrape_interval_prod: PrometheusDuration = "15s"
    prometheus_evaluation_interval_prod: PrometheusDuration = "1m"
    alertmanager_group_wait_prod: PrometheusDuration = "30s"
    alertmanager_group_interval_prod: PrometheusDuration = "5m"
    alertmanager_repeat_interval_prod: PrometheusDuration = "4h"
    # dev: seconds, so a local stack (and the tests) see an alert reach on-call in ~15 s.
    alert_warning_for_dev: PrometheusDuration = "6s"
    alert_page_for_dev: PrometheusDuration = "6s"
    alert_worker_down_for_dev: PrometheusDuration = "6s"
    prometheus_scrape_interval_dev: PrometheusDuration = "2s"
    prometheus_evaluation_interval_dev: PrometheusDuration = "2s"
    alertmanager_group_wait_dev: PrometheusDuration = "1s"
    alertmanager_group_interval_dev: PrometheusDuration = "5s"
    alertmanager_repeat_interval_dev: PrometheusDuration = "1m"

    # --- Local runtime -------------------------------------------------------------
    state_dir: Path = PROJECT_ROOT / ".dost"

    @property
    def kafka_dir(self) -> Path:
        return self.state_dir / "kafka"

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def faust_data_dir(self) -> Path:
        return self.worker_data_dir or (self.state_dir / "worker")

    @property
    def receiver_log_file(self) -> Path:
        return self.run_dir / "oncall-alerts.jsonl"


def settings_env(settings: Settings, **overrides: object) -> dict[str, str]:
    """``settings`` as DOST_* environment variables, so a child process sees the same config."""
    values = {**settings.model_dump(mode="json"), **overrides}
    environment = {}
    for name, value in values.items():
        if value is None:
            continue
        if not isinstance(value, str):
            value = str(value) if isinstance(value, Path) else json.dumps(value)
        environment[f"DOST_{name.upper()}"] = value
    return environment


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
