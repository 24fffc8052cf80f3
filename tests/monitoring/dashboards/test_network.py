"""The network overview: targets, counts, bounds, alerts and burn rates."""

from __future__ import annotations

from monitoring.dashboards.panels import dashboard_targets
from tests.monitoring.dashboards.committed import committed_dashboards


def test_network_overview_covers_targets_counts_bounds_alerts_and_burn_rates():
    exprs = " ".join(t["expr"] for _, t in dashboard_targets(committed_dashboards()["network-overview.json"]))
    for needle in ('dost:center_satisfaction:ratio{window="24h"}', 'dost:center_satisfaction:ratio{window="7d"}',
                   "dost:center_satisfaction_target:max", "dost:center_ratings:max",
                   "dost:center_satisfaction_wilson_lower:ratio", "dost:center_satisfaction_wilson_upper:ratio",
                   "ALERTS", "dost:network_satisfaction:ratio", "dost:network_burn_rate:ratio"):
        assert needle in exprs, needle
