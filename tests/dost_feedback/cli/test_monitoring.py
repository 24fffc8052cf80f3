"""`dost-feedback monitoring rules`: the shipped rules with this deployment's dashboard links."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from dost_contract.settings import PROJECT_ROOT, Settings
from monitoring.alerting import shipped

CLI = str(PROJECT_ROOT / ".venv" / "bin" / "dost-feedback")


def test_dashboard_links_point_at_the_public_grafana_and_nothing_else_changes(tmp_path: Path):
    env = {"PATH": "/usr/bin:/bin", "DOST_GRAFANA_URL": "https://dashboards.example.az"}
    result = subprocess.run([CLI, "monitoring", "rules", "--out", str(tmp_path / "rules")], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "rules" / "satisfaction.rules.yml").read_text()
    shipped_text = shipped.SHIPPED_RULES_FILE.read_text()
    assert "127.0.0.1:3000" in shipped_text and "127.0.0.1:3000" not in written
    assert written == shipped_text.replace("http://127.0.0.1:3000", "https://dashboards.example.az")
    rules = [r for g in yaml.safe_load(written)["groups"] for r in g["rules"] if "alert" in r]
    assert all(r["annotations"]["dashboard_url"].startswith("https://dashboards.example.az/d/") for r in rules)
    subprocess.run([Settings().promtool_binary, "check", "rules", str(tmp_path / "rules" / "satisfaction.rules.yml")],
                   check=True, capture_output=True, timeout=60)


def test_grafana_out_writes_the_grafana_managed_rules_with_the_public_links(tmp_path: Path):
    from monitoring.dashboards.files import ALERT_RULES_FILE

    env = {"PATH": "/usr/bin:/bin", "DOST_GRAFANA_URL": "https://dashboards.example.az"}
    result = subprocess.run([CLI, "monitoring", "rules", "--out", str(tmp_path / "rules"),
                             "--grafana-out", str(tmp_path / "alerting")], check=False, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "alerting" / "dost-alert-rules.yml").read_text()
    assert written == ALERT_RULES_FILE.read_text().replace("http://127.0.0.1:3000", "https://dashboards.example.az")
    rules = [r for g in yaml.safe_load(written)["groups"] for r in g["rules"]]
    assert len(rules) == 2
    assert all(r["annotations"]["dashboard_url"].startswith("https://dashboards.example.az/d/") for r in rules)
    assert (tmp_path / "rules" / "satisfaction.rules.yml").exists()
    assert sorted(p.name for p in (tmp_path / "alerting").iterdir()) == ["dost-alert-rules.yml"]  # no partial left
