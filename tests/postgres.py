"""A real PostgreSQL 15 server for the tests, from Debian's ``postgresql`` package.

Started once per session on a free loopback port with its data in a temporary directory
(``fsync=off``: the data is thrown away). Each test gets a fresh database copied from a
template that already has the schema (``CREATE DATABASE … TEMPLATE``: ~0.1 s).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from dost_channels.db import migrate
from dost_channels.db.engine import create_database_engine
from dost_feedback.stack.processes import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
TEMPLATE = "dost_template"


def _install() -> None:
    """Install Debian's package when the binaries are missing (never skip)."""
    if (PG_BIN / "initdb").exists():
        return
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "postgresql"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, capture_output=True)


class PostgresServer:
    def __init__(self) -> None:
        _install()
        self.root = Path(tempfile.mkdtemp(prefix="dost-pg-"))  # not under pytest's 0700 root-owned dirs
        self.data = self.root / "data"
        self.port = free_port()
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_postgres, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> PostgresServer:
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "start")
        self._admin(f"CREATE DATABASE {TEMPLATE}")
        engine = create_database_engine(self.url(TEMPLATE))
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
        return self

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        engine = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(sql))
        finally:
            engine.dispose()

    def fresh_database(self, migrated: bool = True) -> str:
        """A new database's URL: with the schema (from the template), or empty."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self._admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {TEMPLATE}" if migrated else ""))
        return self.url(name)

    def stop(self) -> None:
        subprocess.run([*self._as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-W",
                        "stop"], check=False, capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)
