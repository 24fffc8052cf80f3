"""The migrations from an empty database build exactly ``schema.metadata``, on both backends."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from dost_channels.db import migrate
from dost_channels.db.engine import create_database_engine, database_url
from dost_channels.db.schema import metadata


def test_upgrade_from_empty_matches_the_schema_and_is_idempotent(postgres, tmp_path):
    for url in (postgres.fresh_database(migrated=False), database_url(tmp_path / "empty.sqlite3")):
        engine = create_database_engine(url)
        assert migrate.current_revision(engine) is None
        migrate.upgrade(engine)
        migrate.upgrade(engine)  # a second run is a no-op
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), metadata) == [], url
        engine.dispose()


def test_0002_adds_the_case_tables_to_a_0001_database_and_comes_off_again(postgres, tmp_path):
    for url in (postgres.fresh_database(migrated=False), database_url(tmp_path / "old.sqlite3")):
        engine = create_database_engine(url)
        migrate.upgrade(engine, "0001")
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO opt_outs (phone_hash, opted_out_at) VALUES ('h', 1)"))
        migrate.upgrade(engine, "0002")
        tables = set(inspect(engine).get_table_names())
        assert {"followup_cases", "followup_case_history", "followup_contacts", "opt_outs"} <= tables
        unique = inspect(engine).get_unique_constraints("followup_cases")
        assert [c["column_names"] for c in unique] == [["feedback_id"]]
        command.downgrade(migrate._config(engine), "0001")
        assert "followup_cases" not in inspect(engine).get_table_names()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT COUNT(*) FROM opt_outs")).scalar_one() == 1
        engine.dispose()
