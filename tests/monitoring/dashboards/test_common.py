"""What the dashboards share: the satisfaction colors follow the target, burn-rate colors the alert thresholds."""

from __future__ import annotations

from monitoring.dashboards.common import BURN_RATE_THRESHOLDS, burn_rate_steps, quantile_queries, satisfaction_steps


def test_satisfaction_steps_are_red_below_orange_within_twice_the_budget_green_at_target():
    assert satisfaction_steps(0.985) == (("red", None), ("orange", 0.97), ("green", 0.985))


def test_burn_rate_steps_are_the_alert_thresholds():
    assert BURN_RATE_THRESHOLDS == (1.0, 3.0, 6.0, 14.4)
    values = [value for _, value in burn_rate_steps()]
    assert values == [None, 1.0, 3.0, 6.0, 14.4]


def test_quantile_queries_group_by_le_and_the_label():
    [p50, p95, p99] = quantile_queries("x_bucket", by="instance")
    assert p50.expr == "histogram_quantile(0.5, sum by (le, instance) (rate(x_bucket[$__rate_interval])))"
    assert (p50.legend, p95.legend, p99.legend) == ("p50 {{instance}}", "p95 {{instance}}", "p99 {{instance}}")
