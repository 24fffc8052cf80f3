"""Real Prometheus (dev profile rules) -> real Alertmanager -> real receiver.

A stand-in worker exporter publishes the contract's gauges; Prometheus scrapes it,
evaluates the rendered rules and the page reaches on-call, then resolves.
"""

from __future__ import annotations

import httpx
import pytest

from dost_feedback.procs import Service
from dost_feedback.settings import Settings
from monitoring.local import prometheus_base_url, wait_for_received_alert
from monitoring.wilson import wilson_upper

pytestmark = [pytest.mark.services, pytest.mark.timeout(90)]

# dev profile: 2 s scrape and evaluation, for: 6s, group_wait 1s, group_interval 5s.
PIPELINE_TIMEOUT = 30.0


def query(settings: Settings, promql: str) -> list[dict]:
    response = httpx.get(f"{prometheus_base_url(settings)}/api/v1/query", params={"query": promql}, timeout=5)
    response.raise_for_status()
    return response.json()["data"]["result"]


def test_degraded_center_pages_on_call_and_resolves(
    monitoring_settings: Settings, fake_worker, prometheus: Service, alertmanager: Service, oncall_receiver: Service
):
    log_file = monitoring_settings.receiver_log_file
    # 80 of 100 satisfied in 24h: ratio 0.80, Wilson upper ~0.87, far below 0.985.
    fake_worker.set_window("e2e-degraded", "24h", satisfied=80, ratings=100, target=0.985)
    # A healthy neighbour and a small-sample one: neither may reach on-call.
    fake_worker.set_window("e2e-healthy", "24h", satisfied=199, ratings=200, target=0.985)
    fake_worker.set_window("e2e-small", "24h", satisfied=5, ratings=10, target=0.985)

    page = wait_for_received_alert(
        log_file, PIPELINE_TIMEOUT, status="firing", center_id="e2e-degraded", severity="page"
    )
    assert page.labels["window"] == "24h"
    assert page.annotations["count"] == "100"
    assert page.annotations["ratio"] == "0.8000"
    assert page.annotations["wilson_upper"] == f"{wilson_upper(80, 100):.4f}"
    assert page.annotations["dashboard_url"].endswith("var-center_id=e2e-degraded")

    # The recording rule in real Prometheus equals the Python reference.
    [sample] = query(monitoring_settings, 'dost:center_satisfaction_wilson_upper:ratio{center_id="e2e-degraded"}')
    assert float(sample["value"][1]) == pytest.approx(wilson_upper(80, 100), abs=1e-12)
    assert query(monitoring_settings, 'ALERTS{center_id=~"e2e-healthy|e2e-small"}') == []

    # Recovery: 990 of 1000. Prometheus resolves, Alertmanager sends the resolved notification.
    fake_worker.set_window("e2e-degraded", "24h", satisfied=990, ratings=1000, target=0.985)
    wait_for_received_alert(log_file, PIPELINE_TIMEOUT, status="resolved", center_id="e2e-degraded", severity="page")
