"""The docs/alerting.md table: computed, and committed as computed."""

from __future__ import annotations

from dost_contract.settings import PROJECT_ROOT
from monitoring.alerting.detector_table import markdown_table


def test_committed_table_is_current():
    table = markdown_table()
    assert table in (PROJECT_ROOT / "docs" / "alerting.md").read_text(encoding="utf-8")
    assert "false page every (at 98.5%, target)" in table and "to 80%" in table
