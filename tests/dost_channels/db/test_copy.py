"""Copying a SQLite store into another database (the CLI's import: tests/dost_feedback/cli/test_db.py)."""

from __future__ import annotations

import pytest

from dost_channels.db.copy import import_sqlite
from dost_channels.store import ChannelStore, DeviceCheck


def test_every_row_is_copied_once_and_reruns_add_nothing(db_target, tmp_path):
    source = ChannelStore(tmp_path / "old.sqlite3")
    _, token = source.add_device("baku-3")
    source.opt_out("h")
    source.close()
    target = ChannelStore(db_target)
    assert import_sqlite(tmp_path / "old.sqlite3", target.engine)["devices"] == 1
    assert import_sqlite(tmp_path / "old.sqlite3", target.engine) == dict.fromkeys(
        import_sqlite(tmp_path / "old.sqlite3", target.engine), 0)
    assert target.check_device(token, "baku-3")[0] == DeviceCheck.OK and target.is_opted_out("h")


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no SQLite file at"):
        import_sqlite(tmp_path / "nope.sqlite3", ChannelStore(tmp_path / "c.sqlite3").engine)
