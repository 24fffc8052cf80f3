"""docs/replay.md: every fired alert is listed, and the committed report is current."""

from __future__ import annotations

import pytest

from dost_contract.settings import PROJECT_ROOT
from monitoring.names import SATISFACTION_ALERT
from monitoring.replay.report import Verification, render_report
from tests.monitoring.replay.conftest import DEFAULT_SEED


def test_report_lists_every_fired_alert(timeline):
    report = render_report(timeline, [Verification("center alerts", True, 1000, 1.0)], "dost-feedback replay")
    fired = [e for e in timeline.episodes if e.fired_at is not None]
    rows = [line for line in report.splitlines() if line.startswith("| ") and SATISFACTION_ALERT in line]
    assert len(rows) == len([e for e in fired if e.alertname == SATISFACTION_ALERT])
    assert f"seed {timeline.scenario.seed}" in report


def test_committed_report_is_current_for_the_default_seed(timeline):
    if timeline.scenario.seed != DEFAULT_SEED:
        pytest.skip("docs/replay.md is generated with the default seed")
    committed = (PROJECT_ROOT / "docs" / "replay.md").read_text(encoding="utf-8")
    fresh = render_report(timeline, [], "dost-feedback replay")
    table = lambda text: [line for line in text.splitlines() if line.startswith("| ")]  # noqa: E731
    assert table(committed) == table(fresh), "run: dost-feedback replay"
