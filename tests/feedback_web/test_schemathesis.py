"""Schemathesis fuzzes the real web (real Kafka behind it) from its own OpenAPI schema: no 5xx.

Every operation gets valid and invalid generated inputs: bodies, form fields, headers
(random Bearer tokens included) and path parameters; SMS calls are signed by a hook so
they reach the parser. Schemathesis runs as its own CLI: its pytest plugin does not
support this pytest version.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.services


def manager_token(settings) -> str:
    """An admin's API token, so the fuzzer gets past the cases API's 401."""
    from dost_channels.users import ManagerUsers

    users = ManagerUsers(settings.channels_database)
    try:
        user = users.user_by_email("fuzzer@example.az") or users.add_user("fuzzer@example.az", "admin")
        return users.issue_api_token(user.user_id)
    finally:
        users.close()


def test_no_server_errors_anywhere_in_the_schema(web, services_settings, tmp_path):
    schemathesis = Path(sys.executable).parent / "schemathesis"
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo), "SCHEMATHESIS_HOOKS": "tests.feedback_web.schemathesis_hooks",
           "FUZZ_WEB_URL": web.url, "FUZZ_MANAGER_TOKEN": manager_token(services_settings),
           "DOST_SMS_SIGNATURE_SECRET": services_settings.sms_signature_secret.get_secret_value()}
    result = subprocess.run(
        [str(schemathesis), "run", f"{web.url}/openapi.json",
         "--checks", "not_a_server_error", "--mode", "all", "--max-examples", "60",
         "--seed", "20261122", "--request-timeout", "20", "--workers", "2",
         "--generation-database", "none", "--report", "junit", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    operations = sum(len(methods) for methods in httpx.get(f"{web.url}/openapi.json").json()["paths"].values())
    assert operations >= 6 and f"Tested: {operations}" in result.stdout, result.stdout[-3000:]
