"""``DOST_DATABASE_URL`` (or an embedded SQLite file) to a ready SQLAlchemy engine.

- A URL (``postgresql+psycopg://…``) is a shared database: it is migrated by an operator
  (``dost-feedback db upgrade``), so ``open_database`` refuses one whose schema is behind
  and names that command.
- A path is the embedded SQLite default under ``DOST_STATE_DIR``: it is created and
  migrated on first open, so a fresh state dir needs no step.

SQLite runs in WAL mode (several processes on one node read and write at once), and every
writing transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock up front, so
two processes' read-then-write transactions serialize instead of failing at commit.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from dost_channels.db import migrate

UPGRADE_COMMAND = "dost-feedback db upgrade"
READ_ONLY = "store_read_only"  # execution option: a transaction that only reads (SQLite: plain BEGIN)


class SchemaBehindError(RuntimeError):
    """The shared database's schema is older than this code's migrations."""


def database_url(target: str | Path) -> str:
    """A URL as is; a path as the SQLite URL of that file."""
    if isinstance(target, str) and "://" in target:
        return target
    return f"sqlite:///{Path(target)}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_engine(url: str, synchronous: str) -> Engine:
    path = make_url(url).database
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A read (``READ_ONLY``) needs no write lock; every other transaction takes it first.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def create_database_engine(url: str, *, synchronous: str = "NORMAL") -> Engine:
    """An engine for ``url``; ``synchronous`` is SQLite's durability (FULL: on disk at commit)."""
    if is_sqlite(url):
        return _sqlite_engine(url, synchronous)
    # Bounded waits: connecting, a pool slot, a statement (a stuck query frees its thread).
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=30,
                         connect_args={"connect_timeout": 10, "options": "-c statement_timeout=30000"})


def open_database(target: str | Path, *, synchronous: str = "NORMAL") -> Engine:
    """An engine whose schema is current: an embedded SQLite file is migrated here, a shared
    database must already be (``SchemaBehindError`` otherwise)."""
    url = database_url(target)
    engine = create_database_engine(url, synchronous=synchronous)
    try:
        if is_sqlite(url):
            migrate.upgrade(engine)
        else:
            current, head = migrate.current_revision(engine), migrate.head_revision()
            if current != head:
                raise SchemaBehindError(
                    f"the database {make_url(url).render_as_string(hide_password=True)} is at schema revision "
                    f"{current or 'none (empty)'}, this code needs {head}: run `{UPGRADE_COMMAND}` first"
                )
    except BaseException:
        engine.dispose()
        raise
    return engine
