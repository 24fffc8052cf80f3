"""``dost-feedback db``: the database's schema (Alembic) and importing a local SQLite store."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from dost_channels.db import migrate
from dost_channels.db.copy import import_sqlite
from dost_channels.db.engine import SchemaBehindError, create_database_engine, database_url, open_database
from dost_contract.settings import get_settings
from dost_feedback.cli.common import fail

db_app = typer.Typer(help="The database (DOST_DATABASE_URL, or embedded SQLite): migrations and imports.",
                     no_args_is_help=True)


def _targets() -> list[str]:
    """The databases this configuration uses: the shared one, or both embedded SQLite files."""
    settings = get_settings()
    return list(dict.fromkeys(database_url(t) for t in (settings.channels_database, settings.oncall_database)))


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations to DOST_DATABASE_URL (unset: the embedded SQLite files)."""
    for url in _targets():
        engine = create_database_engine(url)
        try:
            migrate.upgrade(engine)
            typer.echo(f"{_shown(url)}: at revision {migrate.current_revision(engine)}")
        except Exception as exc:  # a clear line, not a traceback: the usual cause is the URL or the server
            fail(f"{_shown(url)}: upgrade failed: {exc}")
        finally:
            engine.dispose()


@db_app.command("current")
def db_current() -> None:
    """Show each database's schema revision and the one this code needs."""
    head = migrate.head_revision()
    for url in _targets():
        engine = create_database_engine(url)
        try:
            current = migrate.current_revision(engine)
        finally:
            engine.dispose()
        state = "current" if current == head else "behind: run `dost-feedback db upgrade`"
        typer.echo(f"{_shown(url)}: {current or 'empty'} (head {head}, {state})")


@db_app.command("import-sqlite")
def db_import_sqlite(
    source: Path = typer.Argument(..., help="An existing channel store or on-call outbox SQLite file"),
) -> None:
    """Copy a local SQLite store's rows into the configured database (rerunnable: rows already there are kept)."""
    target = database_url(get_settings().channels_database)
    if not source.is_file():
        fail(f"no SQLite file at {source}")
    url = make_url(target)
    if url.get_backend_name() == "sqlite" and Path(url.database).resolve() == source.resolve():
        fail(f"{source} is the configured database itself; set DOST_DATABASE_URL to the database to copy into")
    try:
        engine = open_database(target)
    except SchemaBehindError as exc:
        fail(str(exc))
    try:
        copied = import_sqlite(source, engine)
    finally:
        engine.dispose()
    for table, rows in copied.items():
        typer.echo(f"{table}: {rows} rows copied")
    typer.echo(f"imported {source} into {_shown(target)}")
