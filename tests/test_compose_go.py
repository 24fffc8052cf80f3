"""docker-compose.yml through compose-go, the loader Docker Compose v2 itself runs.

infra/compose-check (a small Go program: ``cli.NewProjectOptions`` + ``LoadProject``) is
built once from the Go module proxy and cached under .dost/compose-check/<digest of its
sources>/, so after the first build (about 2 minutes on a fresh machine) each check is a
process start. Variables come from the environment given here only (no .env is read).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
CHECKER_DIR = REPO / "infra" / "compose-check"
CACHE_DIR = REPO / ".dost" / "compose-check"
REQUIRED_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?[^}]*\}")


def checker_digest() -> str:
    digest = hashlib.sha256()
    for name in ("go.mod", "go.sum", "main.go"):
        digest.update((CHECKER_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def go_binary() -> str:
    go = shutil.which("go") or ("/usr/lib/go/bin/go" if Path("/usr/lib/go/bin/go").exists() else None)
    if go is None:  # a fresh machine without scripts/setup.sh: install Debian's Go
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "golang-go"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, capture_output=True, timeout=600)
        go = shutil.which("go")
    assert go, "no Go toolchain: run scripts/setup.sh (it installs golang-go)"
    return go


@pytest.fixture(scope="session")
def compose_check() -> Path:
    binary = CACHE_DIR / checker_digest() / "compose-check"
    if not binary.exists():
        binary.parent.mkdir(parents=True, exist_ok=True)
        partial = binary.with_name("compose-check.partial")
        result = subprocess.run([go_binary(), "build", "-mod=readonly", "-o", str(partial), "."], cwd=CHECKER_DIR,
                                capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, f"building infra/compose-check failed:\n{result.stdout}{result.stderr}"
        partial.rename(binary)
    return binary


def required_variables() -> list[str]:
    return sorted(set(REQUIRED_VARIABLE.findall(COMPOSE_FILE.read_text())))


def every_variable_set() -> dict[str, str]:
    values = {name: f"value-of-{name.lower()}" for name in required_variables()}
    values.update(DOST_PUBLIC_HOST="feedback.example.az", DOST_GRAFANA_HOST="dashboards.example.az",
                  DOST_ONCALL_CONFIG=str(REPO / "config" / "oncall.example.yaml"))
    return values


def load(compose_check: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(compose_check), str(COMPOSE_FILE)], env={"PATH": "/usr/bin:/bin", **env},
                          capture_output=True, text=True, timeout=60)


def test_the_secrets_and_addresses_are_required_variables():
    assert {"DOST_SMS_SIGNATURE_SECRET", "DOST_PHONE_HASH_SECRET", "DOST_PHONE_ENCRYPTION_KEY",
            "DOST_ONCALL_WEBHOOK_TOKEN", "DOST_SMS_GATEWAY_TOKEN", "GRAFANA_ADMIN_PASSWORD", "DOST_PUBLIC_HOST",
            "DOST_GRAFANA_HOST", "DOST_HEARTBEAT_URL", "DOST_ONCALL_CONFIG"} <= set(required_variables())


def test_valid_with_every_secret_set(compose_check: Path):
    result = load(compose_check, every_variable_set())
    assert result.returncode == 0, result.stderr
    project = json.loads(result.stdout)
    services = project["services"]
    assert {"proxy", "web", "worker-1", "worker-2", "receiver", "alertmanager", "prometheus", "grafana",
            "retention"} <= set(services)
    web = services["web"]["environment"]
    assert web["DOST_PUBLIC_BASE_URL"] == "https://feedback.example.az"
    assert web["DOST_GRAFANA_URL"] == "https://dashboards.example.az"
    assert web["DOST_SMS_SIGNATURE_SECRET"] == "value-of-dost_sms_signature_secret"
    assert services["grafana"]["environment"]["GF_SERVER_ROOT_URL"] == "https://dashboards.example.az"
    # Grafana's alerting provisioning is the volume monitoring-config renders with the public links.
    writer = services["monitoring-config"]
    assert writer["environment"]["DOST_GRAFANA_URL"] == "https://dashboards.example.az"
    grafana_out = writer["command"][writer["command"].index("--grafana-out") + 1]
    assert {"type": "volume", "source": "grafana-alerting", "target": grafana_out} in [
        {k: v[k] for k in ("type", "source", "target")} for v in writer["volumes"]]
    alerting = [v for v in services["grafana"]["volumes"] if v["target"] == "/etc/grafana/provisioning/alerting"]
    assert [(v["type"], v["source"], v["read_only"]) for v in alerting] == [("volume", "grafana-alerting", True)]
    assert services["grafana"]["depends_on"]["monitoring-config"]["condition"] == "service_completed_successfully"
    assert [s["source"] for s in services["alertmanager"]["secrets"]] == ["oncall_webhook_token"]
    assert project["secrets"]["oncall_webhook_token"]["environment"] == "DOST_ONCALL_WEBHOOK_TOKEN"
    assert "ports" not in web and {p["target"] for p in services["proxy"]["ports"]} == {80, 443}


@pytest.mark.parametrize("variable", required_variables())
def test_refused_with_any_one_unset_or_empty(compose_check: Path, variable: str):
    unset = {k: v for k, v in every_variable_set().items() if k != variable}
    for env in (unset, {**every_variable_set(), variable: ""}):
        result = load(compose_check, env)
        assert result.returncode == 1 and result.stdout == ""
        assert f"required variable {variable} is missing a value" in result.stderr, result.stderr


def test_the_loader_rejects_what_the_schema_forbids(compose_check: Path, tmp_path: Path):
    """The check can fail on structure too, not only on variables: a misspelt key."""
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE_FILE.read_text().replace("    depends_on:\n", "    depends-on:\n", 1))
    result = subprocess.run([str(compose_check), str(broken)], env={"PATH": "/usr/bin:/bin", **every_variable_set()},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "depends-on" in result.stderr
