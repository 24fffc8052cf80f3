"""The shared monitoring names: dashboard paths follow Grafana's slug of the title."""

from __future__ import annotations

from monitoring import names


def test_slug_matches_grafana():
    assert names.slug("Center drill-down") == "center-drill-down"
    assert names.slug("Network overview") == "network-overview"
    assert names.slug("  DOST: Pipeline / health  ") == "dost-pipeline-health"


def test_dashboard_paths_are_uid_and_slug():
    assert names.CENTER_DASHBOARD.path == "/d/dost-center/center-drill-down"
    assert names.NETWORK_DASHBOARD.path == "/d/dost-network/network-overview"
    assert names.PIPELINE_DASHBOARD.path == "/d/dost-pipeline/pipeline-health"
    assert names.SENTIMENT_DASHBOARD.path == "/d/dost-sentiment/comment-sentiment"


def test_alert_names_are_unique_and_include_the_contracts():
    assert len(set(names.ALERT_NAMES)) == len(names.ALERT_NAMES)
    assert "CenterSatisfactionBelowTarget" in names.ALERT_NAMES  # ../shared/CONTRACT.md
