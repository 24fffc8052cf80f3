"""The configs of a local run: promtool accepts the rendered dev rules and prometheus.yml."""

from __future__ import annotations

from pathlib import Path

import pytest

from dost_contract.settings import Settings
from monitoring.alerting.local_configs import write_local_configs
from tests.monitoring.alerting.rule_helpers import run_tool

pytestmark = pytest.mark.timeout(60)


def test_rendered_dev_rules_pass_promtool_check(tmp_path: Path):
    settings = Settings(state_dir=tmp_path)
    configs = write_local_configs(
        settings, tmp_path, worker_targets=["127.0.0.1:9101", "127.0.0.1:9102"], web_targets=["127.0.0.1:8000"]
    )
    run_tool(settings.promtool_binary, "check", "rules", configs.rules_file)
    output = run_tool(settings.promtool_binary, "check", "config", configs.prometheus_config)
    assert "1 rule files found" in output
