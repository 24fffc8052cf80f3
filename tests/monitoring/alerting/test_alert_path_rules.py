"""The alert path's group: Watchdog and the service-down alerts (promtool cases: alert_path_test.yml)."""

from __future__ import annotations

from dost_contract.settings import Settings
from monitoring import names
from monitoring.alerting.alert_path_rules import alert_path_group
from monitoring.alerting.parameters import rule_parameters
from tests.monitoring.alerting.rule_helpers import prod_parameters


def rules_by_name(params) -> dict[str, dict]:
    return {rule["alert"]: rule for rule in alert_path_group(params)["rules"]}


def test_the_group_holds_the_watchdog_and_every_service_down_alert():
    rules = rules_by_name(prod_parameters())
    assert list(rules) == list(names.ALERT_PATH_ALERT_NAMES)
    assert rules[names.WATCHDOG_ALERT]["expr"] == "vector(1)" and "for" not in rules[names.WATCHDOG_ALERT]
    assert rules[names.WATCHDOG_ALERT]["labels"] == {"severity": names.WATCHDOG_SEVERITY}


def test_each_down_alert_covers_a_failed_and_a_missing_scrape_of_its_job():
    rules = rules_by_name(prod_parameters())
    for alert, job in ((names.WEB_DOWN_ALERT, names.WEB_JOB), (names.RECEIVER_DOWN_ALERT, names.RECEIVER_JOB),
                       (names.ALERTMANAGER_DOWN_ALERT, names.ALERTMANAGER_JOB)):
        assert rules[alert]["expr"] == f'up{{job="{job}"}} == 0 or absent(up{{job="{job}"}})'
        assert rules[alert]["labels"]["severity"] == "page" and rules[alert]["for"] == "2m"


def test_dev_profile_holds_for_seconds_and_the_broker_alert_reads_both_web_counters():
    rules = rules_by_name(rule_parameters(Settings(), "dev"))
    assert rules[names.WEB_DOWN_ALERT]["for"] == "6s"
    expr = rules[names.WEB_BROKER_ALERT]["expr"]
    assert 'dost_web_feedback_rejected_total{reason="broker_unavailable"}' in expr
    assert 'dost_web_sms_replies_total{outcome="broker_unavailable"}' in expr
