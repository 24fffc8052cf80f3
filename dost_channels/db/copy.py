"""Copy an existing SQLite store into the configured database (``dost-feedback db import-sqlite``).

Every table of ``schema.metadata`` that the file holds is copied, parents first, with the
columns both sides have; a row whose key is already there is kept as it is (the import can
be rerun). On PostgreSQL the id sequences then move past the copied ids.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, func, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite

from dost_channels.db.schema import metadata

BATCH_ROWS = 1000


def import_sqlite(source: Path, target: Engine) -> dict[str, int]:
    """Rows copied per table (those already present are not counted)."""
    if not source.is_file():
        raise FileNotFoundError(f"no SQLite file at {source}")
    reader = create_engine(f"sqlite:///file:{source.resolve()}?mode=ro&uri=true")
    insert = postgresql.insert if target.dialect.name == "postgresql" else sqlite.insert
    copied: dict[str, int] = {}
    try:
        present = set(inspect(reader).get_table_names())
        with reader.connect() as src, target.begin() as dst:
            for table in metadata.sorted_tables:
                if table.name not in present:
                    continue
                names = {c["name"] for c in inspect(reader).get_columns(table.name)}
                columns = [c for c in table.columns if c.name in names]
                result = src.execute(select(*[text(f'"{c.name}"') for c in columns]).select_from(text(table.name)))
                before = dst.execute(select(func.count()).select_from(table)).scalar_one()
                while batch := result.fetchmany(BATCH_ROWS):
                    rows = [dict(zip((c.name for c in columns), row)) for row in batch]
                    dst.execute(insert(table).values(rows).on_conflict_do_nothing())
                copied[table.name] = dst.execute(select(func.count()).select_from(table)).scalar_one() - before
            if target.dialect.name == "postgresql":
                for table in ("notifications", "deliveries"):
                    dst.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))
    finally:
        reader.dispose()
    return copied
