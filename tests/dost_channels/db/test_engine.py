"""URL or path to an engine: the embedded SQLite file migrates itself, a shared database must be upgraded."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import inspect

from dost_channels.db import migrate
from dost_channels.db.engine import SchemaBehindError, database_url, is_sqlite, open_database
from dost_contract.settings import Settings


def test_a_path_is_a_sqlite_url_and_a_url_stays_as_it_is(tmp_path: Path):
    assert database_url(tmp_path / "c.sqlite3") == f"sqlite:///{tmp_path}/c.sqlite3"
    assert database_url("postgresql+psycopg://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert is_sqlite(database_url(tmp_path / "c.sqlite3")) and not is_sqlite("postgresql+psycopg://h/db")


def test_a_fresh_sqlite_file_is_created_and_migrated_in_wal_mode(tmp_path: Path):
    engine = open_database(tmp_path / "new" / "c.sqlite3")
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert "devices" in inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_a_shared_database_behind_is_refused_with_the_command_to_run(postgres):
    url = postgres.fresh_database(migrated=False)
    behind = rf"none \(empty\), this code needs {migrate.head_revision()}: run `dost-feedback db upgrade`"
    with pytest.raises(SchemaBehindError, match=behind):
        open_database(url)
    assert migrate.current_revision(open_database(postgres.fresh_database())) == migrate.head_revision()


def test_settings_give_the_url_to_both_stores_or_their_files(tmp_path: Path):
    local = Settings(state_dir=tmp_path)
    assert (local.channels_database, local.oncall_database) == (tmp_path / "channels.sqlite3",
                                                                tmp_path / "oncall.sqlite3")
    shared = Settings(state_dir=tmp_path, database_url="postgresql+psycopg://u:p@db/dost")
    assert shared.channels_database == shared.oncall_database == "postgresql+psycopg://u:p@db/dost"
    assert Settings(database_url="").database_url is None
    with pytest.raises(ValidationError, match="DOST_DATABASE_URL is a URL"):
        Settings(database_url="/var/lib/dost.db")
