"""The center drill-down: alerts link to it with its variable, and every panel filters on it."""

from __future__ import annotations

from monitoring.dashboards.panels import dashboard_targets
from monitoring.names import CENTER_DASHBOARD, slug
from tests.monitoring.dashboards.committed import committed_dashboards


def test_alerts_link_to_the_center_drill_down_with_its_variable():
    center = committed_dashboards()["center-drill-down.json"]
    assert CENTER_DASHBOARD.path == f"/d/{center['uid']}/{slug(center['title'])}" == "/d/dost-center/center-drill-down"
    [variable] = center["templating"]["list"]
    assert variable["name"] == "center_id" and variable["query"]["query"].startswith("label_values(")
    # Every per-center panel filters on the variable (the alert tables and stats included).
    filtered = [t["expr"] for _, t in dashboard_targets(center) if "$center_id" in t["expr"]]
    assert len(filtered) == len(dashboard_targets(center))
