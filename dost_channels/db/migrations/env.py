"""Alembic environment: the engine comes from ``dost_channels.db.migrate`` (config attributes)."""

from alembic import context

from dost_channels.db.schema import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    context.run_migrations()
