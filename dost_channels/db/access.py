"""The small base every store builds on: short transactions of portable SQL on one engine.

The stores keep their SQL as text with ``?`` placeholders (written once for SQLite and
PostgreSQL alike: ``ON CONFLICT DO NOTHING``, ``CASE`` instead of boolean sums); ``Tx``
binds them as named parameters. Row locks (``FOR UPDATE``) are added on PostgreSQL only;
SQLite's ``BEGIN IMMEDIATE`` already serializes writers (see ``engine``).
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

from sqlalchemy import Connection, CursorResult, RowMapping, TextClause, text

from dost_channels.db.engine import READ_ONLY, database_url, open_database


def bind(sql: str, params: Sequence) -> tuple[str, dict]:
    """``?`` placeholders to ``:p0, :p1, …`` with their values (SQLAlchemy's ``text``)."""
    pieces = sql.split("?")
    if len(pieces) - 1 != len(params):
        raise ValueError(f"{len(pieces) - 1} placeholders for {len(params)} values in {sql!r}")
    named = pieces[0] + "".join(f":p{i}{piece}" for i, piece in enumerate(pieces[1:]))
    return named, {f"p{i}": value for i, value in enumerate(params)}


@lru_cache(maxsize=1024)
def _statement(sql: str, count: int) -> TextClause:
    """The ``text`` construct of a store's SQL, built once (parsing it is a third of a call's cost)."""
    return text(bind(sql, range(count))[0])


class Tx:
    """One open transaction."""

    def __init__(self, connection: Connection, for_update: str, skip_locked: str) -> None:
        self.connection = connection
        self.for_update = for_update  # " FOR UPDATE" on PostgreSQL, "" on SQLite
        self.skip_locked = skip_locked  # " FOR UPDATE SKIP LOCKED" on PostgreSQL, "" on SQLite

    def execute(self, sql: str, params: Sequence = ()) -> CursorResult:
        return self.connection.execute(_statement(sql, len(params)), {f"p{i}": v for i, v in enumerate(params)})

    def one(self, sql: str, params: Sequence = ()) -> RowMapping | None:
        return self.execute(sql, params).mappings().first()

    def all(self, sql: str, params: Sequence = ()) -> list[RowMapping]:
        return list(self.execute(sql, params).mappings())

    def write(self, sql: str, params: Sequence = ()) -> int:
        return self.execute(sql, params).rowcount


class Database:
    """An engine on ``target`` (a URL, or an embedded SQLite file) whose schema is current."""

    def __init__(self, target: str | Path, *, synchronous: str = "NORMAL") -> None:
        self.url = database_url(target)
        self.engine = open_database(target, synchronous=synchronous)
        postgresql = self.engine.dialect.name == "postgresql"
        self._for_update = " FOR UPDATE" if postgresql else ""
        self._skip_locked = " FOR UPDATE SKIP LOCKED" if postgresql else ""

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _transaction(self) -> Iterator[Tx]:
        """One transaction: committed whole, or rolled back whole."""
        with self.engine.begin() as connection:
            yield Tx(connection, self._for_update, self._skip_locked)

    @contextmanager
    def _read(self) -> Iterator[Tx]:
        """A transaction that only reads (SQLite: no write lock)."""
        with self.engine.connect() as connection:
            connection = connection.execution_options(**{READ_ONLY: True})
            with connection.begin():
                yield Tx(connection, self._for_update, self._skip_locked)

    def _one(self, sql: str, params: Sequence = ()) -> RowMapping | None:
        """One row of a SELECT."""
        with self._read() as tx:
            return tx.one(sql, params)

    def _all(self, sql: str, params: Sequence = ()) -> list[RowMapping]:
        """Every row of a SELECT."""
        with self._read() as tx:
            return tx.all(sql, params)

    def _write(self, sql: str, params: Sequence = ()) -> int:
        with self._transaction() as tx:
            return tx.write(sql, params)
