"""`dost-feedback kafka setup` refuses, with one clear line, what it cannot set up.
(Against the real broker with ACLs: tests/dost_feedback/stack/test_kafka_security.py.)"""

from __future__ import annotations

import json
import subprocess

from dost_contract.settings import PROJECT_ROOT
from dost_feedback.stack.kafka_security import principal_grants

CLI = str(PROJECT_ROOT / ".venv" / "bin" / "dost-feedback")


def run(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, "kafka", "setup"], env={"PATH": "/usr/bin:/bin", **env}, capture_output=True,
                          text=True, timeout=60)


def test_every_principal_needs_a_password():
    result = run(DOST_KAFKA_PRINCIPAL_PASSWORDS=json.dumps({"web": "w"}))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    others = sorted(set(principal_grants("app", "app-sentiment")) - {"web"})
    assert "cases-worker" in others  # every service with a principal, the follow-up case agent too
    assert f"lacks a password for {', '.join(others)}" in result.stderr


def test_a_broker_without_authentication_has_no_principals():
    passwords = {name: "p" for name in principal_grants("dost-feedback", "dost-feedback-sentiment")}
    result = run(DOST_KAFKA_PRINCIPAL_PASSWORDS=json.dumps(passwords))
    assert result.returncode == 1 and "PLAINTEXT" in result.stderr
