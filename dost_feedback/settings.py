"""The one configuration object. Every knob is an env var prefixed ``DOST_``.

Defaults are the local loopback stack; docker-compose and production override
them through the environment.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# A Prometheus/Alertmanager duration such as "30s", "10m", "1h30m".
PrometheusDuration = Annotated[str, Field(pattern=r"^([0-9]+(ms|s|m|h|d|w|y))+$")]


AlertSeverity = Literal["page", "warning", "ticket"]
# Alertmanager route timings "group_wait/group_interval/repeat_interval", e.g. "30s/5m/1h".
RouteTimingsText = Annotated[str, Field(pattern=r"^([0-9]+(ms|s|m|h|d|w|y))+(/([0-9]+(ms|s|m|h|d|w|y))+){2}$")]


# Development-only secrets: fine on a laptop, never in production (see insecure_secrets).
DEV_SMS_SIGNATURE_SECRET = "dev-only-sms-signature-secret"
DEV_PHONE_HASH_SECRET = "dev-only-phone-hash-secret"
DEV_PHONE_ENCRYPTION_KEY = "ZGV2LW9ubHktcGhvbmUtZW5jcnlwdGlvbi1rZXktMzI="  # base64("dev-only-phone-encryption-key-32")


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
    # Most time one refresh may spend recomputing windows; centers it does not reach
    # are recomputed on the next tick, so the event loop never stalls on thousands.
    refresh_budget_seconds: float = Field(0.1, gt=0)
    # The rating agent takes up to this many events, or what arrives within the
    # seconds below, and writes each touched center-day to its changelog once.
    rating_batch_size: int = Field(2000, ge=1)
    rating_batch_seconds: float = Field(0.5, gt=0)
    # Ratings whose submitted_at is further before received_at go to the dead letters.
    allowed_lateness_seconds: int = Field(72 * 3600, gt=0)
    # feedback_ids are remembered this long per center-day; must exceed the lateness.
    dedup_ttl_seconds: int = Field(7 * 24 * 3600, gt=0)
    prune_interval_seconds: float = Field(60.0, gt=0)

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
    # One log line per request; at thousands of ratings a second it costs ~7% of the web's CPU.
    web_access_log: bool = True
    # A submission may carry a clock a little ahead of ours; further ahead is rejected.
    max_clock_skew_seconds: int = 300

    # --- Citizen channels: kiosk, SMS, QR (see docs/channels.md) --------------------
    # Where citizens' phones and browsers reach the web; QR codes and kiosk setup links use it.
    public_base_url: str | None = None  # default http://DOST_WEB_HOST:DOST_WEB_PORT
    # Shared state of the web, the SMS-invitation agent and the CLI (device tokens, QR
    # tokens, invitations, opt-outs): one SQLite file in WAL mode. Default under state_dir.
    channels_db_file: Path | None = None
    # A kiosk device may submit one rating per interval on average, with a short burst
    # (a queue flushed after an outage); beyond that it gets 429 with Retry-After.
    kiosk_rate_limit_seconds: float = Field(5.0, gt=0)
    kiosk_rate_limit_burst: int = Field(10, ge=1)
    # Seconds the kiosk's thank-you screen stays before it resets for the next citizen.
    kiosk_reset_seconds: int = Field(8, ge=1, le=120)
    qr_token_ttl_hours: float = Field(72.0, gt=0)
    sms_invitation_valid_hours: float = Field(48.0, gt=0)
    # Secrets. The defaults are for the local stack only; the prod profile warns loudly.
    # HMAC key the SMS gateway signs its webhook calls with (header X-Dost-Signature).
    sms_signature_secret: SecretStr = SecretStr(DEV_SMS_SIGNATURE_SECRET)
    # HMAC key of the phone hash: the only form of a phone number in Kafka, state and logs.
    phone_hash_secret: SecretStr = SecretStr(DEV_PHONE_HASH_SECRET)
    # Fernet key: the queue system encrypts the phone on visits.completed with it.
    phone_encryption_key: SecretStr = SecretStr(DEV_PHONE_ENCRYPTION_KEY)
    # The URL the gateway signs (as configured at the gateway). Default: the URL the
    # request arrived at, which is wrong behind a proxy that rewrites host or scheme.
    sms_webhook_url: str | None = None
    # "log": the dev gateway logs each SMS (masked phone) and appends it to sms_outbox_file.
    # "http": POST {"to", "text"} as JSON to sms_gateway_url with a bearer token.
    sms_gateway: Literal["log", "http"] = "log"
    sms_gateway_url: str | None = None
    sms_gateway_token: SecretStr | None = None
    sms_outbox_file: Path | None = None  # default run_dir/sms-outbox.jsonl

    # --- Centers -------------------------------------------------------------------
    centers_file: Path = PROJECT_ROOT / "config" / "centers.yaml"
    planned_centers_file: Path = PROJECT_ROOT / "config" / "centers.planned.yaml"
    include_planned_centers: bool = False
    default_target: float = Field(0.985, gt=0, lt=1)
    # The time zone of the registry's opening_hours (an IANA name); the worker's
    # dost_center_open gauge and CenterNoRatingsWhileOpen use it.
    centers_timezone: str = "Asia/Baku"

    # --- Monitoring ----------------------------------------------------------------
    alert_min_ratings: int = Field(30, ge=1)
    # Seed of `dost-feedback replay` (the 30-day alert replay, docs/replay.md): the same
    # seed gives the same ratings, alerts and report on every machine.
    replay_seed: int = 20261001
    # NetworkSatisfactionBudgetBurn (the error budget is 1 - default_target): a burn-rate
    # alert needs at least this many ratings network-wide in its long window, so a nearly
    # empty network (3 ratings at night, one unhappy: burn 22x) never pages. With 100
    # ratings and a true unsatisfied share exactly at budget (1.5%), noise alone crosses
    # a page threshold with probability 2.9e-6 (6x) or 1.8e-19 (14.4x); with 3 ratings,
    # 4.4% (docs/operations.md#network-budget-burn-page).
    alert_burn_min_ratings: int = Field(100, ge=1)
    # DostConsumerLagGrowing: the rating workers' total lag (records) above this ...
    alert_consumer_lag_messages: int = Field(1000, ge=1)
    # DostSentimentBacklog: the sentiment worker's total lag (records) above this ...
    alert_sentiment_backlog_messages: int = Field(500, ge=1)
    # CenterNoRatingsWhileOpen: a silent open center alerts only when its usual volume
    # would have brought at least this many ratings in the lookback; P(0 | Poisson(10))
    # = 4.5e-5, so quiet hours of a small center are never mistaken for an outage.
    alert_no_ratings_min_expected: float = Field(10.0, gt=0)
    prometheus_port: int = 9090
    alertmanager_port: int = 9093
    receiver_host: str = "127.0.0.1"
    receiver_port: int = 9097
    grafana_url: str = "http://127.0.0.1:3000"
    # `dost-feedback dashboards push`: the Grafana folder it uploads into, and how long one
    # Grafana API request may take before the push gives up with a clear error.
    grafana_folder: str = "DOST"
    grafana_api_timeout_seconds: float = Field(10.0, gt=0)
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
    # Burn-rate pages need little `for:` (the 5m/30m short windows already confirm);
    # tickets wait out a few evaluations.
    alert_burn_page_for_prod: PrometheusDuration = "2m"
    alert_burn_ticket_for_prod: PrometheusDuration = "15m"
    alert_lag_growth_window_prod: PrometheusDuration = "10m"  # lag "growing": deriv over this
    alert_consumer_lag_for_prod: PrometheusDuration = "10m"
    alert_deadletter_window_prod: PrometheusDuration = "15m"  # new dead letters within this
    alert_sentiment_backlog_for_prod: PrometheusDuration = "15m"
    alert_oncall_failed_window_prod: PrometheusDuration = "30m"  # on-call deliveries given up within this
    # CenterNoRatingsWhileOpen looks for silence over each of these ranges (short ones catch
    # busy centers fast, long ones let small centers build up enough expected ratings).
    alert_no_ratings_lookbacks_prod: tuple[PrometheusDuration, ...] = ("1h", "3h", "8h")
    alert_no_ratings_for_prod: PrometheusDuration = "15m"
    prometheus_scrape_interval_prod: PrometheusDuration = "15s"
    prometheus_evaluation_interval_prod: PrometheusDuration = "1m"
    alertmanager_group_wait_prod: PrometheusDuration = "30s"
    alertmanager_group_interval_prod: PrometheusDuration = "5m"
    alertmanager_repeat_interval_prod: PrometheusDuration = "4h"
    # dev: seconds, so a local stack (and the tests) see an alert reach on-call in ~15 s.
    alert_warning_for_dev: PrometheusDuration = "6s"
    alert_page_for_dev: PrometheusDuration = "6s"
    alert_worker_down_for_dev: PrometheusDuration = "6s"
    alert_burn_page_for_dev: PrometheusDuration = "6s"
    alert_burn_ticket_for_dev: PrometheusDuration = "6s"
    alert_lag_growth_window_dev: PrometheusDuration = "20s"
    alert_consumer_lag_for_dev: PrometheusDuration = "6s"
    alert_deadletter_window_dev: PrometheusDuration = "30s"
    alert_sentiment_backlog_for_dev: PrometheusDuration = "6s"
    alert_oncall_failed_window_dev: PrometheusDuration = "30s"
    alert_no_ratings_lookbacks_dev: tuple[PrometheusDuration, ...] = ("30s", "1m")
    alert_no_ratings_for_dev: PrometheusDuration = "6s"
    prometheus_scrape_interval_dev: PrometheusDuration = "2s"
    prometheus_evaluation_interval_dev: PrometheusDuration = "2s"
    alertmanager_group_wait_dev: PrometheusDuration = "1s"
    alertmanager_group_interval_dev: PrometheusDuration = "5s"
    alertmanager_repeat_interval_dev: PrometheusDuration = "1m"
    # Alertmanager route timings per severity, "group_wait/group_interval/repeat_interval"
    # (the values above are the root route's, for alerts without a known severity).
    # Pages reach on-call fastest and repeat most often; tickets wait and repeat daily.
    # Override as JSON, e.g. DOST_ALERTMANAGER_ROUTE_TIMINGS_PROD='{"page": "10s/1m/30m", ...}'.
    alertmanager_route_timings_prod: dict[AlertSeverity, RouteTimingsText] = Field(
        default_factory=lambda: {"page": "30s/5m/1h", "warning": "1m/10m/4h", "ticket": "5m/30m/24h"}
    )
    alertmanager_route_timings_dev: dict[AlertSeverity, RouteTimingsText] = Field(
        default_factory=lambda: {"page": "1s/5s/1m", "warning": "1s/5s/2m", "ticket": "1s/5s/5m"}
    )

    # --- On-call routing and channels (monitoring/oncall_*.py; docs/operations.md) ---
    # Which channels (SMS, e-mail, webhook, dev file) each route notifies, with contacts.
    oncall_config_file: Path = PROJECT_ROOT / "config" / "oncall.yaml"
    # The receiver's durable outbox and sent log (SQLite, WAL). Default state_dir/oncall.sqlite3.
    oncall_db_file: Path | None = None
    # The "dev" channel appends every message here (JSON lines). Default run_dir/oncall-outbox.jsonl.
    oncall_dev_outbox_file: Path | None = None
    # Delivery retries: after failed attempt n the next waits base * factor**(n-1) seconds,
    # capped at max; after max_attempts the delivery is marked failed (logged at ERROR,
    # counted, and kept in the outbox). Defaults span about 20 minutes.
    oncall_max_attempts: int = Field(8, ge=1)
    oncall_retry_base_seconds: float = Field(5.0, gt=0)
    oncall_retry_factor: float = Field(2.0, ge=1)
    oncall_retry_max_seconds: float = Field(600.0, gt=0)
    # Longest one send (SMS gateway, SMTP, webhook) may take before it counts as failed.
    oncall_send_timeout_seconds: float = Field(10.0, gt=0)
    # SMTP server of the e-mail channel. security: "none", "starttls" or "tls" (implicit TLS).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_from: str = "dost-oncall@localhost"

    # --- Local runtime -------------------------------------------------------------
    state_dir: Path = PROJECT_ROOT / ".dost"

    @model_validator(mode="after")
    def _dedup_outlives_lateness(self) -> "Settings":
        if self.dedup_ttl_seconds <= self.allowed_lateness_seconds:
            raise ValueError(
                "DOST_DEDUP_TTL_SECONDS must be longer than DOST_ALLOWED_LATENESS_SECONDS, "
                "or a late retry could be counted twice"
            )
        return self

    @model_validator(mode="after")
    def _route_timings_for_every_severity(self) -> "Settings":
        for name in ("alertmanager_route_timings_prod", "alertmanager_route_timings_dev"):
            missing = set(get_args(AlertSeverity)) - set(getattr(self, name))
            if missing:
                raise ValueError(f"DOST_{name.upper()} lacks timings for severity {', '.join(sorted(missing))}")
        return self

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

    @property
    def oncall_db_path(self) -> Path:
        return self.oncall_db_file or (self.state_dir / "oncall.sqlite3")

    @property
    def oncall_dev_outbox_path(self) -> Path:
        return self.oncall_dev_outbox_file or (self.run_dir / "oncall-outbox.jsonl")

    @property
    def channels_db_path(self) -> Path:
        return self.channels_db_file or (self.state_dir / "channels.sqlite3")

    @property
    def sms_outbox_path(self) -> Path:
        return self.sms_outbox_file or (self.run_dir / "sms-outbox.jsonl")

    @property
    def public_url(self) -> str:
        return (self.public_base_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")

    def insecure_secrets(self) -> list[str]:
        """The DOST_ secrets still at their development defaults (empty when all are set)."""
        defaults = {
            "sms_signature_secret": DEV_SMS_SIGNATURE_SECRET,
            "phone_hash_secret": DEV_PHONE_HASH_SECRET,
            "phone_encryption_key": DEV_PHONE_ENCRYPTION_KEY,
        }
        return [
            f"DOST_{name.upper()}" for name, dev in defaults.items()
            if getattr(self, name).get_secret_value() == dev
        ]

    def warn_if_insecure(self, logger: logging.Logger) -> None:
        """Under the prod profile, log a warning for every secret left at its dev default."""
        if self.profile == "prod":
            for name in self.insecure_secrets():
                logger.warning("%s is the development default; set a real secret in production", name)


def settings_env(settings: Settings, **overrides: object) -> dict[str, str]:
    """``settings`` as DOST_* environment variables, so a child process sees the same config."""
    # JSON mode would print secrets as "**********": take those from the model itself.
    secrets = {name: getattr(settings, name) for name in type(settings).model_fields
               if isinstance(getattr(settings, name), SecretStr)}
    values = {**settings.model_dump(mode="json"), **secrets, **overrides}
    environment = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if not isinstance(value, str):
            value = str(value) if isinstance(value, Path) else json.dumps(value)
        environment[f"DOST_{name.upper()}"] = value
    return environment


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
