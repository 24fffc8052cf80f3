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


def test_a_bad_scenario_file_is_named_before_promtool_runs(cli, tmp_path, promtool):
    scenario = tmp_path / "bad.yml"
    scenario.write_text("seed: 1\ndays: 5\ncenters: []\n")
    out = tmp_path / "alerts.json"
    result = cli("replay", "--scenario", str(scenario), "--json", str(out), promtool_binary=str(promtool))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {scenario}: bad scenario: centers:")
    assert not (tmp_path / "promtool-ran").exists() and not out.exists()


def test_a_scenario_file_replays_through_promtool_into_json(cli, tmp_path):
    import json

    from dost_contract.settings import Settings

    scenario = tmp_path / "s.yml"
    scenario.write_text("seed: 3\ndays: 3\ncenters:\n  - {center_id: c-300, ratings_per_day: 300, satisfaction: 0.99,"
                        " changes: [{after_days: 1, satisfaction: 0.8}]}\n")
    out, report = tmp_path / "alerts.json", tmp_path / "report.md"
    result = cli("replay", "--scenario", str(scenario), "--json", str(out), "--output", str(report),
                 promtool_binary=Settings().promtool_binary, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    alerts = json.loads(out.read_text())["alerts"]
    assert any(a["center_id"] == "c-300" and a["severity"] == "page" for a in alerts)
    assert "promtool, center alerts of c-300: **passed**" in report.read_text()
