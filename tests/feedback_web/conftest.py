"""Fixtures for the citizen channels: the real CLI on the session's state, and Chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Callable, Iterator

import httpx
import pytest

from dost_contract.settings import Settings, settings_env
from tests.conftest import metric_value

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def cli(services_settings: Settings) -> Callable[..., subprocess.CompletedProcess]:
    """Run ``dost-feedback ARGS`` against the session's services (same state, same secrets)."""
    env = {**os.environ, **settings_env(services_settings)}

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "dost_feedback", *args], capture_output=True, text=True,
                                env=env, timeout=60)
        if check and result.returncode != 0:
            pytest.fail(f"dost-feedback {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    return run


@pytest.fixture(scope="session")
def add_device(cli) -> Callable[[str], tuple[str, str]]:
    """Register a kiosk through the real CLI; returns (device_id, token)."""

    def add(center_id: str) -> tuple[str, str]:
        out = cli("devices", "add", "--center", center_id, "--label", "test tablet").stdout
        device_id = re.search(r"device_id:\s+(\S+)", out).group(1)
        token = re.search(r"token:\s+(\S+)", out).group(1)
        return device_id, token

    return add


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    """Debian's Chromium driven by Playwright (which never downloads a browser here).

    Module-scoped: Playwright's sync API keeps an event loop running while it is open,
    and later tests call asyncio.run().
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


def worker_count(worker, center_id: str, channel: str) -> float:
    """Ratings the worker counted for a center and channel, all ratings together."""
    text = httpx.get(worker.url, timeout=10).text
    return sum(metric_value(text, "dost_feedback_ratings_total", center_id=center_id, channel=channel,
                            rating=str(r)) or 0 for r in range(1, 6))
