"""The committed production files: promtool accepts them, their unit tests pass, no drift."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dost_contract.settings import Settings
from monitoring import names
from monitoring.alerting import shipped
from tests.monitoring.alerting.rule_helpers import alert_rules, run_tool

pytestmark = pytest.mark.timeout(60)


def test_shipped_rules_pass_promtool_check():
    run_tool(Settings().promtool_binary, "check", "rules", shipped.SHIPPED_RULES_FILE)


PROMTOOL_TESTS = sorted(shipped.SHIPPED_RULES_TEST.parent.glob("*.yml"))


@pytest.mark.parametrize("test_file", PROMTOOL_TESTS, ids=lambda path: path.name)
def test_shipped_rules_pass_promtool_unit_tests(test_file: Path):
    run_tool(Settings().promtool_binary, "test", "rules", test_file)


def test_every_alert_has_firing_and_not_firing_promtool_cases():
    firing: set[str] = set()
    quiet: set[str] = set()
    for path in PROMTOOL_TESTS:
        for test in yaml.safe_load(path.read_text())["tests"]:
            for case in test.get("alert_rule_test", []):
                (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    shipped_alerts = {rule["alert"] for rule in alert_rules(yaml.safe_load(shipped.SHIPPED_RULES_FILE.read_text()))}
    assert shipped_alerts == set(names.ALERT_NAMES)
    assert shipped_alerts - firing == set(), "alerts without a firing promtool case"
    # The Watchdog fires always: that it never stops is what its promtool case checks.
    assert shipped_alerts - quiet == {names.WATCHDOG_ALERT}, "alerts without a not-firing promtool case"


def test_shipped_prometheus_config_passes_promtool_check():
    output = run_tool(Settings().promtool_binary, "check", "config", shipped.SHIPPED_PROMETHEUS_CONFIG)
    assert "1 rule files found" in output


def test_shipped_files_match_the_renderer():
    assert shipped.drifted_files() == [], "run: python -m monitoring.alerting.shipped"


def test_shipped_prometheus_config_scrapes_the_compose_services():
    config = yaml.safe_load(shipped.SHIPPED_PROMETHEUS_CONFIG.read_text())
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    assert targets["dost-worker"] == ["worker-1:9101", "worker-2:9101"]
    assert targets["dost-web"] == ["web:8000"]
    assert targets["dost-sentiment"] == ["sentiment-worker:9103"]
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["alertmanager:9093"]
    assert config["global"]["evaluation_interval"] == "1m"
