"""QR links: the CLI issues and draws them; each works once; used/expired/unknown get a friendly page."""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest

from dost_channels import i18n
from dost_channels.store import ChannelStore
from dost_contract import topics
from feedback_web.qr import render_qr
from tests.conftest import read_topic

pytestmark = pytest.mark.services


def issue(cli, tmp_path, fmt: str = "svg", *extra: str) -> tuple[str, bytes]:
    out = tmp_path / f"ticket.{fmt}"
    result = cli("qr", "--center", "baku-4", "--format", fmt, "--out", str(out), *extra)
    url = re.search(r"(http\S+/r/\S+)", result.stderr).group(1)
    return url, out.read_bytes()


def test_cli_draws_a_real_qr_code_for_a_new_link(cli, tmp_path, services_settings):
    url, svg = issue(cli, tmp_path, "svg")
    assert url.startswith(f"{services_settings.public_url}/r/")
    assert b"<svg" in svg and svg == render_qr(url, "svg")
    url2, png = issue(cli, tmp_path, "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png == render_qr(url2, "png")
    assert url2 != url  # one link per visit
    bad = cli("qr", "--center", "baku-4", "--format", "gif", check=False)
    assert bad.returncode == 1 and "svg or png" in bad.stderr


def test_a_link_rates_once_and_the_second_use_is_refused(web, cli, tmp_path, services_settings):
    url, _ = issue(cli, tmp_path, "svg", "--service-group", "pensions")
    local = url.replace(services_settings.public_url, web.url)
    form = httpx.get(local, timeout=10)
    assert form.status_code == 200 and 'id="screen-rate"' in form.text
    feedback_id = str(uuid.uuid4())
    first = httpx.post(local, json={"feedback_id": feedback_id, "rating": 2, "comment": "FİN 5ABC12D, uzun növbə"},
                       timeout=15)
    assert first.status_code == 202, first.text
    # The same request replayed (same feedback_id) is refused, and so is any other second use.
    replay = httpx.post(local, json={"feedback_id": feedback_id, "rating": 2}, timeout=15)
    assert (replay.status_code, replay.json()["code"]) == (410, "qr_used")
    second = httpx.post(local, json={"rating": 5}, timeout=15)
    assert (second.status_code, second.json()["code"]) == (410, "qr_used")
    page = httpx.get(local, headers={"Accept-Language": "ru-RU,ru"}, timeout=10)
    assert page.status_code == 410 and i18n.text("qr_used_title", "ru") in page.text
    records = [v for _, v in read_topic(services_settings, topics.FEEDBACK_SUBMITTED) if v["feedback_id"] == feedback_id]
    assert len(records) == 1 and records[0]["channel"] == "qr" and records[0]["center_id"] == "baku-4"
    assert records[0]["service_group"] == "pensions"
    assert records[0]["comment"] == "FİN [fin], uzun növbə"


def test_expired_and_unknown_links_get_friendly_pages(web, services_settings):
    store = ChannelStore(services_settings.channels_db_path)
    expired = store.issue_qr_token("baku-4", None, ttl_seconds=60, now=time.time() - 120)
    page = httpx.get(f"{web.url}/r/{expired}", timeout=10)
    assert page.status_code == 410 and i18n.text("qr_expired_title", "az") in page.text
    post = httpx.post(f"{web.url}/r/{expired}", json={"rating": 5}, timeout=10)
    assert (post.status_code, post.json()["code"]) == (410, "qr_expired")
    unknown = httpx.get(f"{web.url}/r/not-a-token?lang=en", timeout=10)
    assert unknown.status_code == 404 and i18n.text("qr_unknown_title", "en") in unknown.text
    assert httpx.post(f"{web.url}/r/{'x' * 500}", json={"rating": 5}, timeout=10).status_code == 404


def test_the_mobile_form_in_chromium_rates_once(web, cli, tmp_path, services_settings, chromium):
    url, _ = issue(cli, tmp_path)
    local = url.replace(services_settings.public_url, web.url)
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(local + "?lang=en")
        page.click('.face[data-rating="5"]')
        page.wait_for_selector("#screen-thanks:not([hidden])")
        page.wait_for_function("JSON.parse(localStorage.getItem(Object.keys(localStorage)[0]) || '[]').length === 0")
        page.goto(local + "?lang=en")
        assert page.inner_text("h1") == i18n.text("qr_used_title", "en")
    finally:
        context.close()
