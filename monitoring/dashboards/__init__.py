"""The five DOST Grafana dashboards, as code: one module per dashboard.

- ``network``    ``dost-network``, every center's satisfaction against its target, network burn rates;
- ``center``     ``dost-center``, one center's drill-down (``$center_id``); alerts link here;
- ``sentiment``  ``dost-sentiment``, comment sentiment per center and the sentiment worker;
- ``pipeline``   ``dost-pipeline``, throughput, lag, dead letters, processing time, targets up;
- ``followup``   ``dost-followup``, open and overdue follow-up cases, time to resolution, root causes.

They are built with Grafana's own SDK (``grafana-foundation-sdk``, schemaVersion 41) through
``panels`` (targets, layout, variables, JSON encoding) and ``common`` (the shared panel shapes).
``alert_rules`` is the Grafana-managed copy of ``CenterSatisfactionBelowTarget``; ``files``
writes the committed JSON under ``monitoring/grafana/`` (``python -m monitoring.dashboards.files``,
``--check`` for drift) and ``push`` uploads it (``dost-feedback dashboards push``).
Queries read the recording rules of ``monitoring.alerting`` (``dost:*``) where they exist, so
a dashboard and an alert never disagree about a number. Pure: settings in, JSON models (dicts) out.
"""

from __future__ import annotations

from typing import Any, Callable

from dost_contract.settings import Settings
from monitoring.dashboards.center import center_drill_down
from monitoring.dashboards.followup import followup_dashboard
from monitoring.dashboards.network import network_overview
from monitoring.dashboards.pipeline import pipeline_dashboard
from monitoring.dashboards.sentiment import sentiment_dashboard

# File name (under monitoring/grafana/dashboards/) -> builder.
DASHBOARD_FILES: dict[str, Callable[[Settings], dict[str, Any]]] = {
    "network-overview.json": network_overview,
    "center-drill-down.json": center_drill_down,
    "sentiment.json": sentiment_dashboard,
    "pipeline-health.json": pipeline_dashboard,
    "follow-up.json": followup_dashboard,
}


def build_dashboards(settings: Settings) -> dict[str, dict[str, Any]]:
    """File name -> dashboard model, for every DOST dashboard."""
    return {name: build(settings) for name, build in DASHBOARD_FILES.items()}
