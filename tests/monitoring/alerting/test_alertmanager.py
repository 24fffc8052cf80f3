"""Alertmanager configs (amtool) and the real Alertmanager delivering to the real receiver."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from dost_contract.centers import load_registry
from dost_contract.settings import Settings, settings_env
from dost_feedback.stack.monitoring import alertmanager_base_url
from dost_feedback.stack.processes import Service
from monitoring.alerting import shipped
from monitoring.alerting.local_configs import write_local_configs
from monitoring.oncall.journal import find_received_alert, wait_for_received_alert

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
    regions = load_registry(Settings()).regions()
    # root, 3 severities and their regions, managers and theirs, deadmans-switch
    assert "2 inhibit rules" in output and f"{1 + 3 + 3 * len(regions) + 1 + len(regions) + 1} receivers" in output


def routes_test(settings: Settings, config: Path, expected: str, labels: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [settings.amtool_binary, "config", "routes", "test", f"--config.file={config}",
         f"--verify.receivers={expected}", *(f"{k}={v}" for k, v in labels.items())],
        capture_output=True, text=True, timeout=30,
    )


CENTER = {"alertname": "CenterSatisfactionBelowTarget", "center_id": "karabakh-barda", "window": "24h"}
BURN = {"alertname": "NetworkSatisfactionBudgetBurn", "burn_window": "1h/5m"}


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        pytest.param({**CENTER, "severity": "page", "region": "karabakh"}, "page@karabakh", id="center page"),
        pytest.param({**CENTER, "center_id": "baku-1", "severity": "warning", "region": "baku"}, "warning@baku",
                     id="center warning"),
        pytest.param({**CENTER, "center_id": "smart-agali", "severity": "page", "region": "east-zangezur"},
                     "page@east-zangezur", id="smart point page"),
        pytest.param({**BURN, "severity": "page"}, "page", id="network page, no region"),
        pytest.param({**BURN, "burn_window": "3d/6h", "severity": "ticket"}, "ticket", id="network ticket"),
        pytest.param({"alertname": "DostWorkerDown", "instance": "w1:9101", "severity": "warning"}, "warning",
                     id="pipeline warning"),
        pytest.param({**CENTER, "severity": "page", "region": "atlantis"}, "page", id="unknown region"),
        pytest.param({"alertname": "SomethingElse"}, "oncall", id="no severity: root"),
        pytest.param({"alertname": "Watchdog", "severity": "heartbeat"}, "deadmans-switch", id="watchdog"),
        pytest.param({"alertname": "FollowupCasesOverdue", "center_id": "karabakh-barda", "region": "karabakh",
                      "severity": "ticket"}, "managers@karabakh", id="overdue cases: the region's managers"),
        pytest.param({"alertname": "FollowupCasesOverdue", "center_id": "c-9", "severity": "ticket"}, "managers",
                      id="overdue cases without a region: managers, never the on-call ticket"),
    ],
)
def test_amtool_routes_each_alert_to_its_route(tmp_path: Path, labels: dict, receiver: str):
    settings = Settings(state_dir=tmp_path)
    for config in (shipped.SHIPPED_ALERTMANAGER_CONFIG,
                   write_local_configs(settings, tmp_path, worker_targets=["127.0.0.1:1"]).alertmanager_config):
        result = routes_test(settings, config, receiver, labels)
        assert result.returncode == 0, f"{config}: {result.stdout}{result.stderr}"
        assert result.stdout.strip() == receiver


def test_amtool_routes_test_fails_for_a_wrong_expectation(tmp_path: Path):
    """The check above can fail: a page is not routed to the ticket receiver."""
    result = routes_test(Settings(), shipped.SHIPPED_ALERTMANAGER_CONFIG, "ticket", {**BURN, "severity": "page"})
    assert result.returncode != 0


@pytest.mark.parametrize("profile", ["dev", "prod"])
def test_rendered_alertmanager_config_passes_amtool(tmp_path: Path, profile: str):
    settings = Settings(state_dir=tmp_path)
    configs = write_local_configs(settings, tmp_path, worker_targets=["127.0.0.1:9101"], profile=profile)
    run_amtool(settings, configs.alertmanager_config)
    text = configs.alertmanager_config.read_text()
    assert f"http://{settings.receiver_host}:{settings.receiver_port}/alertmanager" in text
    assert ("group_wait: 1s" in text) == (profile == "dev")


def test_webhooks_carry_the_token_from_a_file_never_inline(tmp_path: Path):
    settings = Settings(state_dir=tmp_path, oncall_webhook_token="token-from-the-environment")
    configs = write_local_configs(settings, tmp_path, worker_targets=["127.0.0.1:9101"])
    assert configs.webhook_token_file.read_text() == "token-from-the-environment"
    assert configs.webhook_token_file.stat().st_mode & 0o077 == 0
    for text in (configs.alertmanager_config.read_text(), shipped.SHIPPED_ALERTMANAGER_CONFIG.read_text()):
        assert "token-from-the-environment" not in text and "dev-only" not in text
        assert text.count("credentials_file:") == text.count("- url:") > 0
    assert f"credentials_file: {configs.webhook_token_file.resolve()}" in configs.alertmanager_config.read_text()
    assert "credentials_file: /run/secrets/oncall_webhook_token" in shipped.SHIPPED_ALERTMANAGER_CONFIG.read_text()


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def post_alerts(settings: Settings, *alerts: dict) -> None:
    response = httpx.post(f"{alertmanager_base_url(settings)}/api/v2/alerts", json=list(alerts), timeout=5)
    assert response.status_code == 200, response.text


def satisfaction_alert(
    center_id: str, severity: str, ends_at: datetime | None = None, started_ago: timedelta = timedelta(minutes=5),
    region: str = "baku",
) -> dict:
    """An alert as Prometheus posts it. One that started more than group_wait ago is
    flushed at once by Alertmanager; a fresh one waits out group_wait."""
    now = datetime.now(timezone.utc)
    alert = {
        "labels": {
            "alertname": "CenterSatisfactionBelowTarget",
            "center_id": center_id,
            "severity": severity,
            "region": region,
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
    # The receiver answers 401 without the bearer token: a delivery proves Alertmanager sent it.
    unauthenticated = httpx.post(f"{oncall_receiver.url}/alertmanager", json={}, timeout=5)
    assert unauthenticated.status_code == 401
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

    token = monitoring_settings.oncall_webhook_token.get_secret_value()
    assert httpx.get(f"{oncall_receiver.url}/alerts", timeout=5).status_code == 401
    listed = httpx.get(f"{oncall_receiver.url}/alerts", headers={"Authorization": f"Bearer {token}"}, timeout=5).json()
    assert {(a["status"], a["center_id"]) for a in listed} >= {("firing", "am-resolve"), ("resolved", "am-resolve")}


@pytest.mark.services
@pytest.mark.timeout(60)
def test_watchdog_reaches_the_receivers_heartbeat_with_the_token(
    monitoring_settings: Settings, alertmanager: Service, oncall_receiver: Service
):
    def heartbeats() -> float:
        text = httpx.get(f"{oncall_receiver.url}/metrics", timeout=5).text
        return sum(float(line.split()[-1]) for line in text.splitlines()
                   if line.startswith("dost_oncall_heartbeats_total{"))

    before = heartbeats()
    watchdog = {"labels": {"alertname": "Watchdog", "severity": "heartbeat"}, "annotations": {},
                "startsAt": iso(datetime.now(timezone.utc) - timedelta(minutes=5))}
    post_alerts(monitoring_settings, watchdog)
    deadline = time.monotonic() + NOTIFICATION_TIMEOUT
    while heartbeats() == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert heartbeats() > before, "Alertmanager's Watchdog heartbeat never reached the receiver"
    assert find_received_alert(monitoring_settings.receiver_log_file, alertname="Watchdog") is None


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


def read_dev_outbox(settings: Settings) -> list[dict]:
    path = settings.oncall_dev_outbox_path
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def wait_for_dev_record(settings: Settings, timeout: float, **match: str) -> dict:
    """The first dev-channel record whose status/severity/region and first alert's center match."""
    deadline = time.monotonic() + timeout
    while True:
        for record in read_dev_outbox(settings):
            fields = {**record, "center_id": record["alerts"][0]["labels"].get("center_id")}
            if all(fields.get(k) == v for k, v in match.items()):
                return record
        if time.monotonic() > deadline:
            raise TimeoutError(f"no dev-channel record {match}; have {read_dev_outbox(settings)}")
        time.sleep(0.25)


@pytest.mark.services
@pytest.mark.timeout(90)
def test_alertmanager_to_receiver_to_channels_firing_resolved_page_and_warning(
    monitoring_settings: Settings, alertmanager: Service, oncall_receiver: Service
):
    """config/oncall.yaml: pages go to the duty SMS and the dev file, warnings to the dev file."""
    post_alerts(
        monitoring_settings,
        satisfaction_alert("am-chan-page", "page", region="karabakh"),
        satisfaction_alert("am-chan-warn", "warning", region="baku"),
    )
    page = wait_for_dev_record(monitoring_settings, NOTIFICATION_TIMEOUT, center_id="am-chan-page", status="firing")
    assert (page["receiver"], page["severity"], page["region"]) == ("page@karabakh", "page", "karabakh")
    assert page["text"].startswith("PAGE CenterSatisfactionBelowTarget am-chan-page (karabakh) 24h: ratio 0.9000 n=400")
    warning = wait_for_dev_record(monitoring_settings, NOTIFICATION_TIMEOUT, center_id="am-chan-warn", status="firing")
    assert warning["receiver"] == "warning@baku"

    sms_texts = [json.loads(line)["text"] for line in monitoring_settings.sms_outbox_path.read_text().splitlines()]
    assert any("am-chan-page" in text for text in sms_texts)  # the page also went by SMS
    assert not any("am-chan-warn" in text for text in sms_texts)  # the warning did not

    post_alerts(monitoring_settings, satisfaction_alert("am-chan-page", "page", region="karabakh",
                                                        ends_at=datetime.now(timezone.utc)))
    resolved = wait_for_dev_record(monitoring_settings, NOTIFICATION_TIMEOUT, center_id="am-chan-page",
                                   status="resolved")
    assert resolved["text"].startswith("RESOLVED CenterSatisfactionBelowTarget am-chan-page")
    log = subprocess.run(
        [sys.executable, "-m", "dost_feedback", "oncall", "log", "--limit", "200"],
        capture_output=True, text=True, timeout=60, env={**os.environ, **settings_env(monitoring_settings)},
    )
    assert log.returncode == 0, log.stderr
    assert "duty-sms (sms)" in log.stdout and "page@karabakh resolved: RESOLVED" in log.stdout


@pytest.mark.services
@pytest.mark.timeout(60)
def test_network_page_inhibits_the_network_ticket(
    monitoring_settings: Settings, alertmanager: Service, oncall_receiver: Service
):
    now = datetime.now(timezone.utc)

    def burn(severity: str, window: str, summary: str) -> dict:
        return {
            "labels": {"alertname": "NetworkSatisfactionBudgetBurn", "severity": severity, "burn_window": window,
                       "test": "am-network-inhibit"},
            "annotations": {"summary": summary},
            "startsAt": iso(now),
        }

    post_alerts(monitoring_settings, burn("page", "1h/5m", "fast burn"), burn("ticket", "1d/2h", "slow burn"))
    wait_for_received_alert(monitoring_settings.receiver_log_file, NOTIFICATION_TIMEOUT, status="firing",
                            alertname="NetworkSatisfactionBudgetBurn", severity="page", test="am-network-inhibit")
    time.sleep(3)  # past the ticket route's group_wait (1s in dev): it would have been sent by now
    assert find_received_alert(monitoring_settings.receiver_log_file, alertname="NetworkSatisfactionBudgetBurn",
                               severity="ticket", test="am-network-inhibit") is None
