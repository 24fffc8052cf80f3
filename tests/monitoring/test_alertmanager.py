"""Alertmanager configs (amtool) and the real Alertmanager delivering to the real receiver."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from dost_feedback.procs import Service
from dost_feedback.settings import Settings
from monitoring import shipped
from monitoring.local import (
    LocalMonitoringConfigs,
    alertmanager_base_url,
    find_received_alert,
    wait_for_received_alert,
    write_local_configs,
)

NOTIFICATION_TIMEOUT = 20.0  # dev profile: group_wait 1s, group_interval 5s


def run_amtool(settings: Settings, config: Path) -> str:
    result = subprocess.run(
        [settings.amtool_binary, "check-config", str(config)], capture_output=True, text=True, timeout=30
    )
    output = f"{result.stdout}{result.stderr}"
    assert result.returncode == 0, output
    return output


def test_shipped_alertmanager_config_passes_amtool():
    output = run_amtool(Settings(), shipped.SHIPPED_ALERTMANAGER_CONFIG)
    assert "1 inhibit rules" in output and "1 receivers" in output


@pytest.mark.parametrize("profile", ["dev", "prod"])
def test_rendered_alertmanager_config_passes_amtool(tmp_path: Path, profile: str):
    settings = Settings(state_dir=tmp_path)
    configs = write_local_configs(settings, tmp_path, worker_targets=["127.0.0.1:9101"], profile=profile)
    run_amtool(settings, configs.alertmanager_config)
    text = configs.alertmanager_config.read_text()
    assert f"http://{settings.receiver_host}:{settings.receiver_port}/alertmanager" in text
    assert ("group_wait: 1s" in text) == (profile == "dev")


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def post_alerts(settings: Settings, *alerts: dict) -> None:
    response = httpx.post(f"{alertmanager_base_url(settings)}/api/v2/alerts", json=list(alerts), timeout=5)
    assert response.status_code == 200, response.text


def satisfaction_alert(
    center_id: str, severity: str, ends_at: datetime | None = None, started_ago: timedelta = timedelta(minutes=5)
) -> dict:
    """An alert as Prometheus posts it. One that started more than group_wait ago is
    flushed at once by Alertmanager; a fresh one waits out group_wait."""
    now = datetime.now(timezone.utc)
    alert = {
        "labels": {
            "alertname": "CenterSatisfactionBelowTarget",
            "center_id": center_id,
            "severity": severity,
            "window": "24h",
        },
        "annotations": {"summary": f"{center_id} is below target", "count": "400", "ratio": "0.9000"},
        "startsAt": iso(now - started_ago),
        "generatorURL": "http://prometheus.invalid/graph",
    }
    if ends_at is not None:
        alert["endsAt"] = iso(ends_at)
    return alert


@pytest.mark.services
@pytest.mark.timeout(90)
def test_firing_then_resolved_alert_reaches_the_receiver(
    monitoring_settings: Settings, alertmanager: Service, oncall_receiver: Service
):
    log_file = monitoring_settings.receiver_log_file
    post_alerts(monitoring_settings, satisfaction_alert("am-resolve", "warning"))
    firing = wait_for_received_alert(
        log_file, NOTIFICATION_TIMEOUT, status="firing", center_id="am-resolve", severity="warning"
    )
    assert firing.annotations["count"] == "400"
    assert firing.alertname == "CenterSatisfactionBelowTarget"

    # endsAt in the past: Alertmanager resolves it and, with send_resolved, tells on-call.
    post_alerts(monitoring_settings, satisfaction_alert("am-resolve", "warning", ends_at=datetime.now(timezone.utc)))
    resolved = wait_for_received_alert(log_file, NOTIFICATION_TIMEOUT, status="resolved", center_id="am-resolve")
    assert resolved.fingerprint == firing.fingerprint

    listed = httpx.get(f"{oncall_receiver.url}/alerts", timeout=5).json()
    assert {(a["status"], a["center_id"]) for a in listed} >= {("firing", "am-resolve"), ("resolved", "am-resolve")}


@pytest.mark.services
@pytest.mark.timeout(60)
def test_page_inhibits_the_warning_for_the_same_center(
    monitoring_settings: Settings, alertmanager: Service, oncall_receiver: Service
):
    log_file = monitoring_settings.receiver_log_file
    # Fresh alerts: the group waits group_wait (1s), so the inhibitor has seen the page
    # before the first flush, as with alerts that Prometheus sends together.
    just_now = timedelta(0)
    post_alerts(
        monitoring_settings,
        satisfaction_alert("am-inhibit", "page", started_ago=just_now),
        satisfaction_alert("am-inhibit", "warning", started_ago=just_now),
        satisfaction_alert("am-not-inhibited", "warning", started_ago=just_now),
    )
    wait_for_received_alert(log_file, NOTIFICATION_TIMEOUT, status="firing", center_id="am-inhibit", severity="page")
    # The other center's warning is not inhibited: the page is per center.
    wait_for_received_alert(
        log_file, NOTIFICATION_TIMEOUT, status="firing", center_id="am-not-inhibited", severity="warning"
    )
    assert find_received_alert(log_file, center_id="am-inhibit", severity="warning") is None
