"""The stores' base: ``?`` placeholders bound by name, one transaction per call."""

from __future__ import annotations

import pytest

from dost_channels.db.access import Database, bind


def test_bind_numbers_the_placeholders():
    assert bind("UPDATE t SET a = ? WHERE b = ? AND c IS NULL", (1, "x")) == (
        "UPDATE t SET a = :p0 WHERE b = :p1 AND c IS NULL", {"p0": 1, "p1": "x"})
    assert bind("SELECT 1", ()) == ("SELECT 1", {})


def test_bind_refuses_a_count_mismatch():
    with pytest.raises(ValueError, match="2 placeholders for 1 values"):
        bind("SELECT ? + ?", (1,))


def test_a_transaction_is_committed_whole_or_rolled_back_whole(db_target):
    database = Database(db_target)
    with pytest.raises(RuntimeError):
        with database._transaction() as tx:
            tx.write("INSERT INTO opt_outs (phone_hash, opted_out_at) VALUES (?, ?)", ("h1", 1.0))
            raise RuntimeError("half-way")
    assert database._one("SELECT COUNT(*) AS n FROM opt_outs")["n"] == 0
    with database._transaction() as tx:
        tx.write("INSERT INTO opt_outs (phone_hash, opted_out_at) VALUES (?, ?)", ("h1", 1.0))
        assert tx.one("SELECT opted_out_at FROM opt_outs WHERE phone_hash = ?", ("h1",))["opted_out_at"] == 1.0
    assert [row["phone_hash"] for row in database._all("SELECT phone_hash FROM opt_outs")] == ["h1"]
    assert database._write("DELETE FROM opt_outs WHERE phone_hash = ?", ("h1",)) == 1
    database.close()


def test_times_keep_sub_second_precision(db_target):
    database = Database(db_target)  # PostgreSQL's REAL would round 1.7e9 to ~128 s steps
    database._write("INSERT INTO opt_outs (phone_hash, opted_out_at) VALUES (?, ?)", ("h", 1764590400.123456))
    assert database._one("SELECT opted_out_at FROM opt_outs")["opted_out_at"] == 1764590400.123456
