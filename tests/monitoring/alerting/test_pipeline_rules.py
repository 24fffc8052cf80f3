"""Pipeline health: lag, backlog, dead letters and silent-center thresholds come from settings."""

from __future__ import annotations

import pytest

from dost_contract.settings import Settings
from monitoring import names
from monitoring.alerting.parameters import rule_parameters
from monitoring.alerting.rules import render_rules
from tests.monitoring.alerting.rule_helpers import alert_rules

pytestmark = pytest.mark.timeout(60)


def test_pipeline_thresholds_come_from_settings():
    settings = Settings(alert_consumer_lag_messages=4321, alert_sentiment_backlog_messages=765,
                        alert_no_ratings_min_expected=12.5)
    exprs = {rule["alert"]: rule["expr"] for rule in alert_rules(render_rules(rule_parameters(settings, "prod")))}
    assert "dost:worker_consumer_lag:sum > 4321" in exprs[names.LAG_ALERT]
    assert "deriv(dost:worker_consumer_lag:sum[10m]) > 0" in exprs[names.LAG_ALERT]
    assert "dost:sentiment_consumer_lag:sum > 765" in exprs[names.SENTIMENT_BACKLOG_ALERT]
    assert "dost:center_silent_expected_ratings:max >= 12.5" in exprs[names.NO_RATINGS_ALERT]
    assert 'increase(dost_worker_deadletters_total{reason!="suspect_burst"}[15m])' in exprs[names.DEADLETTER_ALERT]
    assert "increase(dost_web_kiosk_suspect_ratings_total[15m])) > 10" in exprs[names.KIOSK_PRESSES_ALERT]
