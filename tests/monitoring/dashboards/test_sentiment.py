"""The sentiment dashboard reads the sentiment worker's series, and the negative share is a ratio of counters."""

from __future__ import annotations

from dost_contract import metric_names
from dost_contract.settings import Settings
from monitoring.dashboards.panels import dashboard_targets
from monitoring.dashboards.sentiment import sentiment_dashboard
from monitoring.names import SENTIMENT_DASHBOARD, SENTIMENT_JOB


def test_sentiment_dashboard_queries_the_sentiment_series():
    model = sentiment_dashboard(Settings())
    assert (model["uid"], model["title"]) == (SENTIMENT_DASHBOARD.uid, SENTIMENT_DASHBOARD.title)
    exprs = [target["expr"] for _, target in dashboard_targets(model)]
    assert any(metric_names.COMMENT_SENTIMENT_TOTAL in expr for expr in exprs)
    assert f'up{{job="{SENTIMENT_JOB}"}}' in exprs
    negative_share = [expr for expr in exprs if 'label="negative"' in expr and " / " in expr]
    assert negative_share, "no negative-share panel"
