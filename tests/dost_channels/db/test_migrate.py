"""The migrations from an empty database build exactly ``schema.metadata``, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from dost_channels.db import migrate
from dost_channels.db.engine import create_database_engine, database_url
from dost_channels.db.schema import metadata


def test_upgrade_from_empty_matches_the_schema_and_is_idempotent(postgres, tmp_path):
    for url in (postgres.fresh_database(migrated=False), database_url(tmp_path / "empty.sqlite3")):
        engine = create_database_engine(url)
        assert migrate.current_revision(engine) is None
        migrate.upgrade(engine)
        migrate.upgrade(engine)  # a second run is a no-op
        assert migrate.current_revision(engine) == migrate.head_revision() == "0003"
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), metadata) == [], url
        engine.dispose()
