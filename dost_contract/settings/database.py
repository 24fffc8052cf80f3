"""The database every store uses (docs/operations.md#database)."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr, field_validator


class DatabaseSettings(BaseModel):
    # The shared database, e.g. postgresql+psycopg://dost:PASSWORD@db:5432/dost: the
    # channel store and the on-call outbox for every web process, worker and host. Its
    # schema is applied by `dost-feedback db upgrade`. Unset: embedded SQLite files under
    # DOST_STATE_DIR (DOST_CHANNELS_DB_FILE, DOST_ONCALL_DB_FILE), created on first use.
    database_url: SecretStr | None = None

    @field_validator("database_url")
    @classmethod
    def _a_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        url = value.get_secret_value()
        if "://" not in url:
            raise ValueError("DOST_DATABASE_URL is a URL such as postgresql+psycopg://user:password@host:5432/dost")
        return value
