"""The one configuration object. Every knob is an environment variable prefixed ``DOST_``.

Defaults are the local loopback stack; docker-compose and production override them
through the environment. ``Settings`` is assembled from one section per part of the
system (``kafka``, ``streams``, ``sentiment``, ``web``, ``channels``, ``centers``,
``monitoring``, ``oncall``, ``retention``, ``database``, ``followup``); the fields stay flat, so
each section's names are the ``DOST_*`` variables as they always were. The dev/prod monitoring timings are in
``profiles``.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from dost_contract.followup import FollowupRule
from dost_contract.settings.base import PROJECT_ROOT, PrometheusDuration
from dost_contract.settings.centers import CenterSettings
from dost_contract.settings.channels import (
    DEV_PHONE_ENCRYPTION_KEY,
    DEV_PHONE_HASH_SECRET,
    DEV_SMS_SIGNATURE_SECRET,
    ChannelSettings,
)
from dost_contract.settings.database import DatabaseSettings
from dost_contract.settings.followup import FollowupSettings
from dost_contract.settings.kafka import KafkaSettings
from dost_contract.settings.monitoring import MonitoringSettings
from dost_contract.settings.oncall import OncallSettings
from dost_contract.settings.production import InsecureSettingsError, require_production_ready
from dost_contract.settings.profiles import (
    SEVERITIES,
    AlertSeverity,
    MonitoringProfile,
    ProfileEnvSource,
    ProfileName,
    profile_env,
)
from dost_contract.settings.retention import RetentionSettings
from dost_contract.settings.sentiment import SentimentSettings
from dost_contract.settings.streams import StreamSettings
from dost_contract.settings.web import WebSettings

__all__ = [
    "DEV_PHONE_ENCRYPTION_KEY", "DEV_PHONE_HASH_SECRET", "DEV_SMS_SIGNATURE_SECRET", "PROJECT_ROOT", "SEVERITIES",
    "AlertSeverity", "InsecureSettingsError", "MonitoringProfile", "PrometheusDuration", "ProfileName", "Settings",
    "get_settings",
    "settings_env",
]


class Settings(
    BaseSettings,
    KafkaSettings,
    StreamSettings,
    SentimentSettings,
    WebSettings,
    ChannelSettings,
    DatabaseSettings,
    FollowupSettings,
    CenterSettings,
    MonitoringSettings,
    OncallSettings,
    RetentionSettings,
):
    model_config = SettingsConfigDict(env_prefix="DOST_", env_file=None, extra="ignore")

    # Which timing profile the rendered Prometheus/Alertmanager configs use.
    # "dev": 2 s scrapes and seconds-long `for:` so a newcomer sees alerts in a minute;
    # "prod": the shipped production values.
    profile: ProfileName = "dev"
    # Local runtime: broker data, logs, rendered configs and the SQLite stores.
    state_dir: Path = PROJECT_ROOT / ".dost"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The per-profile timings keep their flat names (DOST_ALERT_PAGE_FOR_PROD, ...).
        return init_settings, ProfileEnvSource(settings_cls), env_settings, dotenv_settings, file_secret_settings

    def monitoring_profile(self, name: ProfileName | None = None) -> MonitoringProfile:
        """The timings of profile ``name`` (default: ``DOST_PROFILE``)."""
        name = name or self.profile
        if name not in self.monitoring_profiles:
            raise ValueError(f"unknown monitoring profile {name!r}; choose one of {tuple(self.monitoring_profiles)}")
        return self.monitoring_profiles[name]

    def require_production_ready(self, *, pages_oncall: bool = False) -> None:
        """Under the prod profile, raise ``InsecureSettingsError`` naming every insecure setting
        (``pages_oncall``: the on-call config too, for the receiver)."""
        require_production_ready(self, pages_oncall=pages_oncall)

    def warn_if_insecure(self, logger: logging.Logger) -> None:
        """Under the prod profile, log a warning for every secret left at its dev default."""
        if self.profile == "prod":
            for name in self.insecure_secrets():
                logger.warning("%s is the development default; set a real secret in production", name)

    # --- Where things live, under DOST_STATE_DIR unless set ---------------------------

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
    def oncall_database(self) -> str | Path:
        """The on-call outbox's database: DOST_DATABASE_URL, else its embedded SQLite file."""
        return self.database_url.get_secret_value() if self.database_url else self.oncall_db_path

    @property
    def oncall_dev_outbox_path(self) -> Path:
        return self.oncall_dev_outbox_file or (self.run_dir / "oncall-outbox.jsonl")

    @property
    def channels_db_path(self) -> Path:
        return self.channels_db_file or (self.state_dir / "channels.sqlite3")

    @property
    def channels_database(self) -> str | Path:
        """The channel store's database: DOST_DATABASE_URL, else its embedded SQLite file."""
        return self.database_url.get_secret_value() if self.database_url else self.channels_db_path

    @property
    def sms_outbox_path(self) -> Path:
        return self.sms_outbox_file or (self.run_dir / "sms-outbox.jsonl")

    def followup_default_rule(self) -> FollowupRule:
        """The follow-up rule of a center without its own ``followup:`` block (``dost_contract.followup``)."""
        return FollowupRule(max_rating=self.followup_max_rating, on_negative_comment=self.followup_on_negative_comment,
                            deadline_working_days=self.followup_deadline_working_days)

    @property
    def public_url(self) -> str:
        return (self.public_base_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")


def settings_env(settings: Settings, **overrides: object) -> dict[str, str]:
    """``settings`` as DOST_* environment variables, so a child process sees the same config."""
    # JSON mode would print secrets as "**********": take those from the model itself.
    secrets = {name: getattr(settings, name) for name in type(settings).model_fields
               if isinstance(getattr(settings, name), SecretStr)}
    values = {**settings.model_dump(mode="json", exclude={"monitoring_profiles"}), **secrets, **overrides}
    environment = profile_env(settings.monitoring_profiles)
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
