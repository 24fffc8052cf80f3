"""``dost-feedback replay``: a bad scenario is refused before promtool runs or a report is written."""

from __future__ import annotations

import pytest


@pytest.fixture
def promtool(tmp_path):
    """A stand-in promtool that only records that it was run."""
    script = tmp_path / "promtool"
    script.write_text(f"#!/bin/sh\ntouch {tmp_path / 'promtool-ran'}\nexit 1\n")
    script.chmod(0o755)
    return script


@pytest.mark.parametrize("center", ["nowhere", "regional-guba"], ids=["unknown", "planned"])
def test_an_unknown_or_planned_degraded_center_is_named_before_promtool_runs(cli, tmp_path, promtool, center):
    report = tmp_path / "docs" / "replay.md"
    result = cli("replay", "--degraded", center, "--output", str(report), promtool_binary=str(promtool))
    assert result.returncode == 1
    assert result.stderr == f"error: degraded center {center!r} is not in the registry\n"
    assert "promtool" not in result.stdout
    assert not (tmp_path / "promtool-ran").exists(), "promtool ran for a scenario that cannot be built"
    assert not report.exists()
