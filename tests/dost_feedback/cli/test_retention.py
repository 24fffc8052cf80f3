"""`dost-feedback retention run`: once, and periodically (the compose `retention` service)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from dost_channels.store import ChannelStore
from dost_contract.settings import PROJECT_ROOT, Settings, settings_env
from dost_feedback.retention import DAY_SECONDS

pytestmark = pytest.mark.timeout(60)
CLI = str(PROJECT_ROOT / ".venv" / "bin" / "dost-feedback")
HOUR = 3600.0


def invite(settings: Settings, *visit_ids: str) -> None:
    store = ChannelStore(settings.channels_db_path)
    for visit_id in visit_ids:
        store.record_invitation(visit_id, "h", "baku-1", None, "az", 48 * HOUR, now=time.time() - 60)
    store.close()


def test_the_cli_prints_what_it_deleted(tmp_path: Path):
    settings = Settings(state_dir=tmp_path)
    invite(settings, "a", "b")
    env = settings_env(settings, retention_invitations_days=1 / DAY_SECONDS)  # 1 second
    result = subprocess.run([CLI, "retention", "run"], env={**env, "PATH": "/usr/bin:/bin"}, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[0])["invitations"] == 2


def test_periodic_runs_again_and_deletes_what_aged_since(tmp_path: Path):
    settings = Settings(state_dir=tmp_path)
    env = settings_env(settings, retention_invitations_days=1 / DAY_SECONDS, retention_interval_seconds=1)
    process = subprocess.Popen([CLI, "retention", "run", "--periodic"], env={**env, "PATH": "/usr/bin:/bin"},
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = json.loads(process.stdout.readline())
        invite(settings, "later")
        deleted = [json.loads(process.stdout.readline())["invitations"] for _ in range(3)]
    finally:
        process.kill()
        process.wait(timeout=10)
    assert first["invitations"] == 0 and sum(deleted) == 1
