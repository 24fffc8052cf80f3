"""Managers on the session's real web: users made by the real CLI, cases in the real database."""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from dost_channels.cases import CaseStore
from dost_contract.followup import Case, OpenReason, new_case

PASSWORD = "a long enough password"


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


@pytest.fixture(scope="session")
def add_manager(cli) -> Callable[..., str]:
    """``add_manager(*users add args)``: a new user through the CLI; returns the link's token."""

    def add(*args: str) -> tuple[str, str]:
        email = f"m-{uuid.uuid4().hex[:8]}@example.az"
        out = cli("users", "add", "--email", email, *args).stdout
        return email, re.search(r"#token=(\S+)", out).group(1)

    return add


def sign_in(web_url: str, email: str, token: str, password: str = PASSWORD) -> httpx.Client:
    """Set the password through the link's form, then sign in: a client holding the session."""
    client = httpx.Client(base_url=web_url, timeout=30)
    page = client.get("/manage/set-password").text
    saved = client.post("/manage/set-password", data={"token": token, "password": password, "password2": password,
                                                       "csrf": csrf_of(page)})
    assert saved.status_code == 303 and saved.headers["location"] == "/manage/sign-in?saved=1", saved.text
    page = client.get("/manage/sign-in").text
    signed = client.post("/manage/sign-in", data={"email": email, "password": password, "csrf": csrf_of(page)})
    assert signed.status_code == 303 and signed.headers["location"] == "/manage/cases", signed.text
    return client


@pytest.fixture(scope="session")
def case_store(services_settings) -> CaseStore:
    store = CaseStore(services_settings.channels_database)
    yield store
    store.engine.dispose()  # CaseStore.close closes a case, not the store


@pytest.fixture
def make_case(case_store) -> Callable[..., Case]:
    """A case opened as the case agent opens it (A's ``new_case`` + ``CaseStore.open_case``)."""

    def make(center_id: str, *, rating: int = 1, comment: str | None = "Növbə çox uzun idi", due_in: float = 7200,
             service_group: str | None = "pensions", channel: str = "kiosk") -> Case:
        now = time.time()
        # An overdue case was opened well before its deadline (two days), as a real one would be.
        opened = min(now - 60, now + due_in - 2 * 86400)
        case = new_case(feedback_id=str(uuid.uuid4()), center_id=center_id, reason=OpenReason.LOW_RATING,
                        rating=rating, channel=channel, opened_at=opened, due=now + due_in, comment=comment,
                        service_group=service_group, sentiment_label="negative", sentiment_score=0.93,
                        language="az")
        return case_store.open_case(case)[0]

    return make


AXE_VERSION = "4.14.1"  # npm's axe-core, run inside Debian's Chromium


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's browser script, installed with npm under .dost/npm on first use."""
    from dost_contract.settings import PROJECT_ROOT

    prefix = PROJECT_ROOT / ".dost" / "npm"
    script = prefix / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        subprocess.run(["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                        f"axe-core@{AXE_VERSION}"], check=True, capture_output=True, timeout=300)
    return script


def axe_violations(page, script: Path) -> list[dict]:
    """WCAG 2.1 A and AA violations axe-core finds on the page as it is now."""
    page.add_script_tag(path=str(script))
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: "
                           "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    assert result["passes"], "axe-core checked nothing"  # it ran, and found rules that apply
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]
