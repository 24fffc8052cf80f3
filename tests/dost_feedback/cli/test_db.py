"""``dost-feedback db upgrade|current|import-sqlite`` and the web on a real PostgreSQL.

The end-to-end check of the database: with DOST_DATABASE_URL at PostgreSQL, the schema
comes from ``db upgrade``, ``devices add`` stores the tablet there, the web accepts that
tablet's kiosk rating and a QR link once, and no SQLite file appears in the state dir.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from pydantic import SecretStr

from dost_channels.db import migrate
from dost_channels.store import ChannelStore, DeviceCheck
from dost_feedback.stack import services as stack
from dost_feedback.stack.processes import free_port
from monitoring.oncall.outbox import NewChannel, Outbox


def sqlite_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p.read_bytes()[:16] == b"SQLite format 3\x00"]


def test_on_postgresql_upgrade_then_devices_kiosk_and_qr_work_and_no_sqlite_file_appears(
        cli, postgres, kafka, supervisor, services_settings, tmp_path):
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
    token = re.search(r"^token: +(dk_\S+)$", added.stdout, re.M).group(1)
    store = ChannelStore(url)
    assert store.check_device(token, "baku-1")[0] == DeviceCheck.OK  # stored in PostgreSQL
    qr = cli("qr", "--center", "baku-1", "--out", str(tmp_path / "ticket.svg"), database_url=url)
    assert qr.returncode == 0, qr.stderr
    qr_token = qr.stderr.split("/r/")[1].split()[0]

    settings = services_settings.model_copy(update={
        "state_dir": tmp_path, "web_port": free_port(), "database_url": SecretStr(url)})
    web = stack.web(settings)
    supervisor.start(web)
    try:
        kiosk = httpx.post(f"{web.url}/api/v1/feedback", headers={"Authorization": f"Bearer {token}"},
                           json={"center_id": "baku-1", "rating": 5, "channel": "kiosk"}, timeout=15)
        assert kiosk.status_code == 202, kiosk.text
        first = httpx.post(f"{web.url}/r/{qr_token}", json={"rating": 4}, timeout=15)
        assert first.status_code == 202, first.text
        second = httpx.post(f"{web.url}/r/{qr_token}", json={"rating": 4}, timeout=15)
        assert (second.status_code, second.json()["code"]) == (410, "qr_used")
    finally:
        web.stop()
    assert store.qr_token(qr_token).used_at is not None
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
