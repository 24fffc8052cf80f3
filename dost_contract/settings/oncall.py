"""On-call routing and channels (monitoring/oncall/; docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from dost_contract.settings.base import PROJECT_ROOT
from dost_contract.settings.channels import DEV_ONCALL_WEBHOOK_TOKEN


class OncallSettings(BaseModel):
    # Which channels (SMS, e-mail, webhook, dev file) each route notifies, with contacts.
    oncall_config_file: Path = PROJECT_ROOT / "config" / "oncall.yaml"
    # Alertmanager must send `Authorization: Bearer <token>` (from a credentials file); the
    # receiver answers 401 to anything else. The default is for the local stack only.
    oncall_webhook_token: SecretStr = SecretStr(DEV_ONCALL_WEBHOOK_TOKEN)
    # The dead-man's switch: the receiver POSTs here on every Watchdog heartbeat from
    # Alertmanager (e.g. a healthchecks.io or Dead Man's Snitch check URL), which pages when
    # the heartbeats stop. Unset: heartbeats are only counted (docs/operations.md#watchdog).
    heartbeat_url: str | None = None
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
