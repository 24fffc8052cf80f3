"""``dost-feedback db upgrade|current|import-sqlite`` on a real PostgreSQL.

Issue 15's done-when end to end (``db upgrade``, ``devices add``, ``stack up --no-simulator``
taking that tablet's kiosk rating and a QR link once, no SQLite file in the state dir) is
``tests/dost_feedback/cli/test_stack.py``'s PostgreSQL test; here, what comes before the stack.
"""

from __future__ import annotations

import re
from pathlib import Path

from dost_channels.db import migrate
from dost_channels.store import ChannelStore, DeviceCheck
from dost_feedback.stack.processes import free_port
from monitoring.oncall.outbox import NewChannel, Outbox


def sqlite_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p.read_bytes()[:16] == b"SQLite format 3\x00"]


def test_on_postgresql_services_refuse_an_old_schema_until_db_upgrade_then_devices_are_stored_there(
        cli, postgres, tmp_path):
    url = postgres.fresh_database(migrated=False)
    refused = cli("devices", "add", "--center", "baku-1", database_url=url)
    assert refused.returncode == 1 and "run `dost-feedback db upgrade` first" in refused.stderr, refused.stderr
    assert "postgres@127.0.0.1" in refused.stderr and "none (empty)" in refused.stderr
    web_refused = cli("web", database_url=url)  # a service refuses a schema that is behind, naming the command
    assert web_refused.returncode == 1 and "run `dost-feedback db upgrade` first" in web_refused.stderr

    upgraded = cli("db", "upgrade", database_url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    head = migrate.head_revision()
    assert upgraded.stdout.endswith(f": at revision {head}\n")
    assert f"(head {head}, current)" in cli("db", "current", database_url=url).stdout

    added = cli("devices", "add", "--center", "baku-1", database_url=url)
    assert added.returncode == 0, added.stderr
    token = re.search(r"^token: +(dk_\S+)$", added.stdout, re.MULTILINE).group(1)
    assert ChannelStore(url).check_device(token, "baku-1")[0] == DeviceCheck.OK  # stored in PostgreSQL
    assert sqlite_files(tmp_path) == []


def test_upgrade_without_a_url_migrates_the_embedded_files(cli, tmp_path):
    result = cli("db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in sqlite_files(tmp_path)) == ["channels.sqlite3", "oncall.sqlite3"]
    assert result.stdout.count(f"at revision {migrate.head_revision()}") == 2


def test_upgrade_names_the_database_it_cannot_reach(cli):
    result = cli("db", "upgrade", database_url=f"postgresql+psycopg://dost:secret@127.0.0.1:{free_port()}/dost")
    assert result.returncode == 1
    assert result.stderr.startswith("error: postgresql+psycopg://dost:***@127.0.0.1:")
    assert "upgrade failed" in result.stderr
    assert "secret" not in result.stderr


def test_import_sqlite_copies_a_local_store_once(cli, postgres, tmp_path):
    old = tmp_path / "old"
    store = ChannelStore(old / "channels.sqlite3")
    _, token = store.add_device("baku-2", "exit")
    store.issue_qr_token("baku-2", None, 3600)
    store.close()
    outbox = Outbox(old / "oncall.sqlite3")
    outbox.persist(received_at=1.0, receiver="page", status="firing", severity="page", region=None, summary="s",
                   payload="{}", channels=[NewChannel("dev-file", "dev", {})])
    outbox.close()
    url = postgres.fresh_database()

    first = cli("db", "import-sqlite", str(old / "channels.sqlite3"), database_url=url)
    assert first.returncode == 0, first.stderr
    assert "devices: 1 rows copied" in first.stdout and "qr_tokens: 1 rows copied" in first.stdout
    assert cli("db", "import-sqlite", str(old / "oncall.sqlite3"), database_url=url).returncode == 0
    again = cli("db", "import-sqlite", str(old / "channels.sqlite3"), database_url=url)
    assert "devices: 0 rows copied" in again.stdout  # rerunnable: what is there is kept
    assert ChannelStore(url).check_device(token, "baku-2")[0] == DeviceCheck.OK
    shared = Outbox(url)
    assert [e.summary for e in shared.log()] == ["s"]
    new_id = shared.persist(received_at=2.0, receiver="page", status="firing", severity="page", region=None,
                            summary="t", payload="{}", channels=[])
    assert new_id == 2  # the id sequence moved past the copied rows

    missing = cli("db", "import-sqlite", str(tmp_path / "nope.sqlite3"), database_url=url)
    assert (missing.returncode, missing.stderr) == (1, f"error: no SQLite file at {tmp_path / 'nope.sqlite3'}\n")
    itself = cli("db", "import-sqlite", str(tmp_path / "channels.sqlite3"))
    assert itself.returncode == 1
