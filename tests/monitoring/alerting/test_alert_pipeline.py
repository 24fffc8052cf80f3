"""Real Prometheus (dev profile rules) -> real Alertmanager -> real receiver.

A stand-in worker exporter publishes the contract's gauges and the change detectors' readings
(``streams.detector`` over the test's hourly buckets, dev-profile levels); Prometheus scrapes
it, evaluates the rendered rules and the page reaches on-call, then resolves.
"""

from __future__ import annotations

import time

import httpx
import pytest

from dost_contract.change_detection import DEV_DETECTORS
from dost_contract.settings import Settings
from dost_feedback.stack.monitoring import prometheus_base_url
from dost_feedback.stack.processes import Service
from monitoring.oncall.journal import ReceivedAlert, read_journal, wait_for_received_alert
from tests.conftest import wait_for
from streams.detector import run_detectors

pytestmark = [pytest.mark.services, pytest.mark.timeout(90)]

# dev profile: 2 s scrape and evaluation, for: 6s, group_wait 1s, group_interval 5s.
PIPELINE_TIMEOUT = 30.0


def query(settings: Settings, promql: str) -> list[dict]:
    response = httpx.get(f"{prometheus_base_url(settings)}/api/v1/query", params={"query": promql}, timeout=5)
    response.raise_for_status()
    return response.json()["data"]["result"]


HOUR = 3600
T0 = 1_790_000_000 // HOUR * HOUR  # Mon 2026-09-21 14:00 UTC


def test_degraded_center_pages_on_call_and_resolves(
    monitoring_settings: Settings, fake_worker, prometheus: Service, alertmanager: Service, oncall_receiver: Service
):
    log_file = monitoring_settings.receiver_log_file
    # 80 of 100 satisfied in one hour: both detectors far past their (dev) page levels.
    degraded = [(T0, 100, 80)]
    fake_worker.set_window("e2e-degraded", "24h", satisfied=80, ratings=100, target=0.985, region="karabakh")
    fake_worker.set_window("e2e-degraded", "30d", satisfied=80, ratings=100, target=0.985)
    fake_worker.set_detectors("e2e-degraded", run_detectors(DEV_DETECTORS, degraded))
    # A healthy neighbour and a small-sample one: neither may reach on-call.
    fake_worker.set_window("e2e-healthy", "30d", satisfied=199, ratings=200, target=0.985)
    fake_worker.set_detectors("e2e-healthy", run_detectors(DEV_DETECTORS, [(T0, 200, 199)]))
    fake_worker.set_window("e2e-small", "30d", satisfied=5, ratings=10, target=0.985)  # under the volume guard
    fake_worker.set_detectors("e2e-small", run_detectors(DEV_DETECTORS, [(T0, 10, 5)]))

    page = wait_for_received_alert(
        log_file, PIPELINE_TIMEOUT, status="firing", center_id="e2e-degraded", severity="page"
    )
    assert page.labels["region"] == "karabakh"  # joined from dost_center_info by the rule
    assert page.annotations["count"] == "100"
    assert page.annotations["ratio"] == "0.8000"
    assert page.annotations["evidence_short"] == (
        "since Mon 18:00 Baku time, 20 unhappy ratings of 100 (20.0%); target allows 1.5%")
    assert page.annotations["dashboard_url"].endswith("var-center_id=e2e-degraded")
    assert query(monitoring_settings, 'ALERTS{center_id=~"e2e-healthy|e2e-small"}') == []

    # Recovery: two whole hours of satisfied ratings bring the score back to the reset level
    # and clear the latch. Prometheus resolves, Alertmanager sends the resolved notification.
    recovered = run_detectors(DEV_DETECTORS, degraded + [(T0 + HOUR, 400, 400), (T0 + 2 * HOUR, 400, 400)])
    assert not any(r.alarmed for r in recovered)
    fake_worker.set_detectors("e2e-degraded", recovered)
    wait_for_received_alert(log_file, PIPELINE_TIMEOUT, status="resolved", center_id="e2e-degraded", severity="page")


def test_network_burn_pages_on_call_only_with_enough_ratings(
    monitoring_settings: Settings, fake_worker, prometheus: Service, alertmanager: Service, oncall_receiver: Service
):
    log_file = monitoring_settings.receiver_log_file
    happy = fake_worker.ratings_total.labels(center_id="e2e-burn", channel="web", rating="5")
    unhappy = fake_worker.ratings_total.labels(center_id="e2e-burn", channel="web", rating="1")

    def network_rated() -> float:
        result = query(monitoring_settings, 'dost:network_ratings:increase{window="1h"}')
        return float(result[0]["value"][1]) if result else -1.0

    # Prometheus must see the counters at 0 first: increase() counts from the first sample.
    deadline = time.monotonic() + PIPELINE_TIMEOUT
    while not query(monitoring_settings, 'dost_feedback_ratings_total{center_id="e2e-burn"}'):
        assert time.monotonic() < deadline, "Prometheus never scraped the stand-in counters"
        time.sleep(0.5)

    # Three ratings, one unhappy: burn rate ~22, far above 14.4, but no evidence.
    happy.inc(2)
    unhappy.inc(1)
    deadline = time.monotonic() + PIPELINE_TIMEOUT
    while network_rated() < 3:
        assert time.monotonic() < deadline, "the 3 ratings never reached the recording rule"
        time.sleep(0.5)
    [burn] = query(monitoring_settings, 'dost:network_burn_rate:ratio{window="1h"}')
    assert float(burn["value"][1]) > 14.4
    time.sleep(10)  # longer than the dev for: (6s) plus an evaluation
    assert query(monitoring_settings, 'ALERTS{alertname="NetworkSatisfactionBudgetBurn"}') == []

    # 200 more, 40% unhappy: now the volume guard (100 in the long window) lets it page.
    happy.inc(120)
    unhappy.inc(80)
    def rule_page() -> ReceivedAlert | None:
        # Prometheus' own alert: test_alertmanager.py posts hand-made ones with these labels
        # to the same receiver, without the rule's annotations.
        return next((a for a in read_journal(log_file) if a.status == "firing" and "burn_rate" in a.annotations
                     and a.labels.get("alertname") == "NetworkSatisfactionBudgetBurn"
                     and a.labels.get("severity") == "page" and a.labels.get("burn_window") == "1h/5m"), None)

    page = wait_for(rule_page, PIPELINE_TIMEOUT, "the network burn page from Prometheus")
    assert float(page.annotations["burn_rate"]) > 14.4
    assert page.annotations["dashboard_url"].endswith("/d/dost-network/network-overview")
    assert page.annotations["runbook_url"].endswith("#network-budget-burn-page")
