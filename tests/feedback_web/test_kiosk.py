"""The kiosk page in real Chromium against the real web, Kafka and stream worker."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import httpx
import pytest

from dost_channels import i18n
from dost_channels.store import ChannelStore
from dost_contract import topics
from feedback_web.bursts import SUSPECT_REASONS
from tests.conftest import metric_value, read_topic, wait_for
from tests.feedback_web.conftest import worker_count

pytestmark = pytest.mark.services

LANDSCAPE = {"width": 1280, "height": 800}  # a 10" tablet, CSS pixels
PORTRAIT = {"width": 800, "height": 1280}
# Set to a folder (e.g. docs/screenshots) to keep the screenshots this module takes.
SCREENSHOTS_DIR = os.environ.get("KIOSK_SCREENSHOTS_DIR")


@pytest.fixture
def kiosk(chromium, web, add_device):
    """Open a set-up kiosk page; yields a function (center_id, viewport) -> page."""
    contexts = []

    def open_kiosk(center_id: str, viewport=LANDSCAPE, token: str | None = None):
        token = token if token is not None else add_device(center_id)[1]
        context = chromium.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{web.url}/kiosk/{center_id}#token={token}")
        page.wait_for_selector("#screen-rate:not([hidden])")
        return page

    yield open_kiosk
    for context in contexts:
        context.close()


def queue_length(page) -> int:
    return page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('dost-queue:'))"
        ".reduce((n, k) => n + JSON.parse(localStorage.getItem(k)).length, 0)"
    )


def published(settings, feedback_ids: set[str]) -> list[dict]:
    return [v for _, v in read_topic(settings, topics.FEEDBACK_SUBMITTED) if v["feedback_id"] in feedback_ids]


def queued_ids(page) -> set[str]:
    return set(page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('dost-queue:'))"
        ".flatMap(k => JSON.parse(localStorage.getItem(k)).map(i => i.body.feedback_id))"
    ))


def test_rate_comment_thanks_and_automatic_reset(kiosk, worker, services_settings):
    # baku-4, not baku-5: the end-to-end test needs baku-5 to get only satisfied ratings.
    page = kiosk("baku-4")
    assert "#token" not in page.url  # the setup token leaves the address bar at once
    before = worker_count(worker, "baku-4", "kiosk")
    page.select_option("#service", "pensions")
    page.click('.face[data-rating="2"]')
    page.wait_for_selector("#screen-comment:not([hidden])")
    assert page.evaluate("document.activeElement.id") == "comment"
    page.fill("#comment", "Növbə çox uzun idi. Mənə 050 123 45 67 nömrəsinə zəng edin <b>x</b>")
    page.click("#send")
    page.wait_for_selector("#screen-thanks:not([hidden])")
    assert page.inner_text("#thanks-title") == i18n.text("thanks_title", "az")
    # The thank-you screen resets itself for the next citizen, with the form cleared.
    page.wait_for_selector("#screen-rate:not([hidden])", timeout=services_settings.kiosk_reset_seconds * 1000 + 5000)
    assert page.input_value("#service") == "" and page.input_value("#comment") == ""
    wait_for(lambda: queue_length(page) == 0, timeout=15, message="the rating left the kiosk's queue")
    wait_for(lambda: worker_count(worker, "baku-4", "kiosk") == before + 1, timeout=30,
             message="the worker counted the kiosk rating")
    records = [v for _, v in read_topic(services_settings, topics.FEEDBACK_SUBMITTED)
               if v["center_id"] == "baku-4" and v["channel"] == "kiosk" and v["rating"] == 2
               and (v["comment"] or "").startswith("Növbə çox uzun idi.")]
    assert records[-1]["service_group"] == "pensions"
    assert records[-1]["comment"] == "Növbə çox uzun idi. Mənə [phone] nömrəsinə zəng edin <b>x</b>"
    # A high rating skips the comment; "Done" resets at once.
    page.click('.face[data-rating="5"]')
    page.wait_for_selector("#screen-thanks:not([hidden])")
    page.click("#done")
    page.wait_for_selector("#screen-rate:not([hidden])")
    wait_for(lambda: worker_count(worker, "baku-4", "kiosk") == before + 2, timeout=30,
             message="the second rating counted")


@pytest.mark.parametrize("viewport", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_switch_language_translates_every_string(kiosk, viewport, tmp_path):
    page = kiosk("baku-4", viewport)
    screenshots = Path(SCREENSHOTS_DIR) if SCREENSHOTS_DIR else tmp_path
    screenshots.mkdir(parents=True, exist_ok=True)
    orientation = "landscape" if viewport is LANDSCAPE else "portrait"
    for language in ("az", "ru", "en"):
        page.click(f'.lang[data-lang="{language}"]')
        texts = page.eval_on_selector_all("[data-i18n]", "els => els.map(e => [e.dataset.i18n, e.textContent])")
        assert len(texts) > 20
        for key, text in texts:
            assert text == i18n.text(key, language), (language, key)
        assert page.evaluate("document.documentElement.lang") == language
        assert page.get_attribute(f'.lang[data-lang="{language}"]', "aria-pressed") == "true"
        assert page.get_attribute('.face[data-rating="5"]', "aria-label") == f"5 - {i18n.text('rating_5', language)}"
        # Nothing from the other languages is left on screen.
        visible = page.inner_text("main")
        for other in {"az", "ru", "en"} - {language}:
            assert i18n.text("question", other) not in visible
        # It fits the tablet: no sideways scrolling, all five faces on screen.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        for rating in range(1, 6):
            box = page.locator(f'.face[data-rating="{rating}"]').bounding_box()
            assert box["y"] + box["height"] <= viewport["height"] and box["x"] + box["width"] <= viewport["width"]
        page.screenshot(path=str(screenshots / f"kiosk-{language}-{orientation}.png"))
    # The comment screen follows the chosen language too.
    page.click('.face[data-rating="1"]')
    assert page.inner_text("#comment-title") == i18n.text("comment_title", "en")
    if viewport is LANDSCAPE:
        page.screenshot(path=str(screenshots / "kiosk-en-comment.png"))


def test_keyboard_order_labels_and_contrast(kiosk):
    page = kiosk("baku-4")
    order = []
    for _ in range(9):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.dataset.lang || document.activeElement.id "
                                   "|| ('face' + document.activeElement.dataset.rating)"))
    assert order == ["az", "ru", "en", "service", "face1", "face2", "face3", "face4", "face5"]
    assert page.evaluate("document.querySelector('label[for=service]').textContent") == i18n.text("service_label", "az")
    assert page.evaluate("document.querySelector('label[for=comment]').textContent") == i18n.text("comment_label", "az")
    # WCAG AA: text contrast at least 4.5:1 against its background.
    ratios = page.evaluate("""() => {
      const rgb = c => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
      const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                         return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const bg = el => { while (el) { const c = getComputedStyle(el).backgroundColor;
                         if (!c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c; el = el.parentElement; }
                         return 'rgb(255, 255, 255)'; };
      return ['#question', '.face-label', '.face-number', 'label[for=service]', '.lang[aria-pressed=true]',
              '.lang[aria-pressed=false]', '.center-name'].map(sel => {
        const el = document.querySelector(sel); const a = lum(getComputedStyle(el).color), b = lum(bg(el));
        return [sel, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]; });
    }""")
    for selector, ratio in ratios:
        assert ratio >= 4.5, (selector, ratio)
    # Enter on a focused face rates, like a tap.
    page.focus('.face[data-rating="4"]')
    page.keyboard.press("Enter")
    page.wait_for_selector("#screen-thanks:not([hidden])")


def test_offline_submissions_queue_and_count_exactly_once(kiosk, worker, services_settings):
    """Offline, two ratings queue in the browser; back online they are sent, and the first
    answer is lost on the way back so the kiosk retries it: still exactly two are counted."""
    page = kiosk("baku-6")
    before = worker_count(worker, "baku-6", "kiosk")
    duplicates_before = metric_value(httpx.get(worker.url).text, "dost_worker_events_processed_total",
                                     outcome="duplicate") or 0
    state = {"online": False, "dropped": 0, "calls": 0}

    def flaky_network(route):
        state["calls"] += 1
        if not state["online"]:
            route.abort("internetdisconnected")
        elif state["dropped"] == 0:
            route.fetch()  # the web accepts and publishes it...
            state["dropped"] += 1
            route.abort("connectionreset")  # ...but the kiosk never hears the answer
        else:
            route.continue_()

    page.route("**/api/v1/feedback", flaky_network)
    page.context.set_offline(True)
    page.click('.face[data-rating="4"]')
    page.wait_for_selector("#screen-thanks:not([hidden])")
    page.click("#done")
    page.click('.face[data-rating="1"]')
    page.fill("#comment", "Internet yox idi")
    page.click("#send")
    page.wait_for_selector("#screen-thanks:not([hidden])")
    page.click("#done")
    assert queue_length(page) == 2
    ids = queued_ids(page)
    page.wait_for_selector("#status:not([hidden])")
    assert page.inner_text("#pending") == "2"
    time.sleep(2)  # retries while offline change nothing
    assert published(services_settings, ids) == []

    state["online"] = True
    page.context.set_offline(False)
    wait_for(lambda: queue_length(page) == 0, timeout=60, message="the kiosk emptied its queue")
    assert state["dropped"] == 1
    wait_for(lambda: worker_count(worker, "baku-6", "kiosk") == before + 2, timeout=30,
             message="exactly two kiosk ratings counted")
    records = published(services_settings, ids)
    assert sorted(r["rating"] for r in records) == [1, 4, 4]  # the lost answer was sent twice
    assert {r["feedback_id"] for r in records} == ids
    wait_for(lambda: (metric_value(httpx.get(worker.url).text, "dost_worker_events_processed_total",
                                   outcome="duplicate") or 0) >= duplicates_before + 1,
             timeout=30, message="the worker saw the retry as a duplicate")
    time.sleep(2)
    assert worker_count(worker, "baku-6", "kiosk") == before + 2
    assert page.is_hidden("#status")


def test_repeated_presses_on_the_real_page_are_answered_but_not_counted(kiosk, worker, web, services_settings):
    """One person pressing "1" after each thank-you screen, at a center whose queue system
    reported two finished visits: every press leaves the tablet (202), at most a few count,
    the rest are dead letters ``suspect_burst``."""
    center, presses = "karabakh-shusha", 10
    store = ChannelStore(services_settings.channels_db_path)
    store.record_completed_visit(f"kiosk-burst-{uuid.uuid4()}", center, time.time() - 3 * 3600)
    for _ in range(2):
        store.record_completed_visit(f"kiosk-burst-{uuid.uuid4()}", center, time.time() - 60)
    page = kiosk(center)
    before = worker_count(worker, center, "kiosk")
    ids: set[str] = set()
    page.on("request", lambda request: ids.add(request.post_data_json["feedback_id"])
            if request.url.endswith("/api/v1/feedback") and request.method == "POST" else None)
    for _ in range(presses):
        page.click('.face[data-rating="1"]')
        page.wait_for_selector("#screen-comment:not([hidden])")
        page.click("#skip")
        page.wait_for_selector("#screen-thanks:not([hidden])")
        page.click("#done")
        page.wait_for_selector("#screen-rate:not([hidden])")
    wait_for(lambda: queue_length(page) == 0, timeout=60, message="every press answered 202")
    assert len(ids) == presses and len(published(services_settings, ids)) == presses  # kept, all of them
    def outcome() -> tuple[float, int]:
        dead = [d for _, d in read_topic(services_settings, topics.FEEDBACK_DEADLETTER)
                if d.get("reason") == "suspect_burst" and json.loads(d["original"])["feedback_id"] in ids]
        return worker_count(worker, center, "kiosk") - before, len(dead)

    # Every press ends up either counted or a suspect_burst dead letter, once.
    wait_for(lambda: sum(outcome()) >= presses, timeout=30, message="every press counted or dead-lettered")
    time.sleep(2)  # nothing more arrives
    counted, dead = outcome()
    assert counted <= 3 and counted + dead == presses, (counted, dead)
    suspect = sum(metric_value(httpx.get(f"{web.url}/metrics").text, "dost_web_kiosk_suspect_ratings_total",
                               center_id=center, reason=reason) or 0 for reason in SUSPECT_REASONS)
    assert suspect >= presses - 3


def test_invalid_token_is_refused_and_nothing_is_lost(kiosk, services_settings):
    page = kiosk("baku-4", token="dk_this-token-was-never-issued")
    page.click('.face[data-rating="5"]')
    page.wait_for_selector("#screen-error:not([hidden])", timeout=15000)
    assert page.inner_text("#error-text") == i18n.text("error_device_rejected", "az")
    assert queue_length(page) == 1  # kept for when staff set the tablet up again
    assert published(services_settings, queued_ids(page)) == []
    # Switching language translates the error too.
    page.click('.lang[data-lang="ru"]')
    assert page.inner_text("#error-text") == i18n.text("error_device_rejected", "ru")


def test_token_of_another_center_and_no_token(kiosk, add_device, chromium, web):
    _, token = add_device("baku-1")
    page = kiosk("baku-4", token=token)
    page.click('.face[data-rating="3"]')
    page.click("#skip")
    page.wait_for_selector("#screen-error:not([hidden])", timeout=15000)
    assert page.inner_text("#error-text") == i18n.text("error_device_rejected", "az")
    context = chromium.new_context()
    try:
        fresh = context.new_page()
        fresh.goto(f"{web.url}/kiosk/baku-4?lang=en")
        fresh.wait_for_selector("#screen-error:not([hidden])")
        assert fresh.inner_text("#error-text") == i18n.text("error_not_set_up", "en")
        unknown = fresh.goto(f"{web.url}/kiosk/mars-1")
        # The browser asks for English (Accept-Language), so the friendly page is in English.
        assert unknown.status == 404 and i18n.text("error_unknown_center", "en") in fresh.content()
    finally:
        context.close()


def test_page_escapes_and_ships_its_own_assets(web):
    page = httpx.get(f"{web.url}/kiosk/baku-4?lang=<script>", timeout=10)
    assert page.status_code == 200 and "<script>alert" not in page.text
    assert 'lang="az"' in page.text
    for asset in ("/static/rating.js", "/static/rating.css"):
        assert httpx.get(f"{web.url}{asset}", timeout=10).status_code == 200
    assert "http://" not in page.text.replace(web.url, "") and "https://" not in page.text
    config = json.loads(page.text.split('id="config">')[1].split("</script>")[0])
    assert set(config["messages"]) == {"az", "ru", "en"}
