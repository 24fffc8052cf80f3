"""The rating and message pages: escaping (checked in real Chromium), faces, texts, kiosk vs QR."""

from __future__ import annotations

import json
import re
from html import escape

import pytest

from dost_channels import i18n
from dost_contract.centers import Center, load_registry
from dost_contract.events import ServiceGroup
from dost_contract.settings import Settings
from feedback_web.rating_page import FACE_COLORS, render_message_page, render_rating_page

HOSTILE = '</script><script>alert("x")</script><!--<script> & "q"'


@pytest.fixture(scope="module")
def center() -> Center:
    return load_registry(Settings()).get("baku-1")


def hostile_center() -> Center:
    return Center(center_id="baku-1", name={"az": HOSTILE, "en": "<b>en</b>"}, region="baku", kind="city")


def config_of(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="config">(.*?)</script>', html, re.S).group(1))


def test_every_value_is_escaped_in_the_markup():
    html = render_rating_page(mode="qr", center=hostile_center(), language="az", submit_url="/r/</script>x",
                              service_group="pensions")
    assert f'<span class="center-name" id="center-name">{escape(HOSTILE)}</span>' in html
    assert html.count("<script") == 2 and html.count("</script>") == 2  # the config and rating.js only
    assert "<!--" not in html
    config = config_of(html)
    assert config["centerNames"] == {"az": HOSTILE, "ru": HOSTILE, "en": "<b>en</b>"}
    assert config["submitUrl"] == "/r/</script>x"
    english = render_rating_page(mode="kiosk", center=hostile_center(), language="en", submit_url="/api/v1/feedback")
    assert 'id="center-name">&lt;b&gt;en&lt;/b&gt;</span>' in english


def test_a_browser_reads_hostile_values_back_as_text(chromium):
    html = render_rating_page(mode="kiosk", center=hostile_center(), language="az", submit_url="/api/v1/feedback")
    page = chromium.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.set_content(html)
        assert page.evaluate("document.scripts.length") == 2
        assert page.text_content("#center-name") == HOSTILE
        assert page.evaluate("JSON.parse(document.getElementById('config').textContent).centerNames.az") == HOSTILE
        assert page.locator("button.face").count() == 5  # the markup after the name is intact
    finally:
        page.close()
    assert dialogs == []


def test_five_faces_in_order_with_their_colours_and_labels(center: Center):
    html = render_rating_page(mode="kiosk", center=center, language="ru", submit_url="/api/v1/feedback")
    faces = re.findall(r'<button type="button" class="face" data-rating="(\d)".*?</button>', html, re.S)
    assert faces == ["1", "2", "3", "4", "5"]
    for rating in range(1, 6):
        assert f'fill="{FACE_COLORS[rating]}"' in html
        label = escape(i18n.text(f"rating_{rating}", "ru"))
        assert f'<span data-i18n="rating_{rating}" class="face-label">{label}</span>' in html
    assert i18n.text("rating_1", "ru") == "Очень плохо"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_the_page_speaks_the_language_it_was_asked_for(center: Center, language: str):
    html = render_rating_page(mode="qr", center=center, language=language, submit_url="/r/t")
    assert f'<html lang="{language}">' in html
    assert f'<title data-i18n="page_title">{escape(i18n.text("page_title", language))}</title>' in html
    for key in ("question", "comment_title", "send", "skip", "thanks_title", "error_generic"):
        assert f'data-i18n="{key}"' in html and escape(i18n.text(key, language)) in html, key
    assert f'data-lang="{language}" lang="{language}" aria-pressed="true"' in html
    assert html.count('aria-pressed="true"') == 1
    name = center.name.en if language == "en" else center.name.az
    assert f'id="center-name">{escape(name)}</span>' in html
    config = config_of(html)
    assert config["language"] == language and config["defaultLanguage"] == "az"
    assert config["messages"] == {code: i18n.table(code) for code in i18n.LANGUAGES}


def test_an_unknown_language_falls_back_to_azerbaijani(center: Center):
    html = render_rating_page(mode="kiosk", center=center, language="de", submit_url="/api/v1/feedback")
    assert '<html lang="az">' in html and escape(i18n.text("question", "az")) in html
    assert config_of(html)["language"] == "az"


def test_kiosk_and_qr_differ_in_submit_url_reset_and_indexing(center: Center):
    kiosk = render_rating_page(mode="kiosk", center=center, language="en", submit_url="/api/v1/feedback",
                               reset_seconds=3)
    qr = render_rating_page(mode="qr", center=center, language="en", submit_url="/r/abc123")
    assert {k: config_of(kiosk)[k] for k in ("mode", "centerId", "submitUrl", "resetSeconds", "maxCommentChars")} == {
        "mode": "kiosk", "centerId": "baku-1", "submitUrl": "/api/v1/feedback", "resetSeconds": 3,
        "maxCommentChars": 1000}
    assert (config_of(qr)["mode"], config_of(qr)["submitUrl"], config_of(qr)["resetSeconds"]) == ("qr", "/r/abc123", 8)
    assert '<div class="app mode-kiosk">' in kiosk and '<div class="app mode-qr">' in qr
    assert 'id="done"' in kiosk and 'id="done"' not in qr
    assert 'data-i18n="thanks_reset"' in kiosk and 'data-i18n="thanks_reset"' not in qr
    assert '<meta name="robots" content="noindex">' in qr and "robots" not in kiosk


def test_the_service_choice_is_offered_only_when_the_ticket_has_none(center: Center):
    open_choice = render_rating_page(mode="kiosk", center=center, language="az", submit_url="/api/v1/feedback")
    options = re.findall(r'<option data-i18n="service_[a-z_]+" value="([a-z_]*)">', open_choice)
    assert options == [""] + [group.value for group in ServiceGroup]
    fixed = render_rating_page(mode="qr", center=center, language="az", submit_url="/r/t", service_group="pensions")
    assert '<select id="service"' not in fixed and config_of(fixed)["serviceGroup"] == "pensions"
    assert config_of(open_choice)["serviceGroup"] is None


def test_message_page_shows_the_escaped_texts_of_its_language():
    html = render_message_page(language="ru", title_key="error_unknown_center", body_key="error_generic")
    assert '<html lang="ru">' in html
    assert f'<h1 id="message-title">{escape(i18n.text("error_unknown_center", "ru"))}</h1>' in html
    assert f'<p>{escape(i18n.text("error_generic", "ru"))}</p>' in html
    assert "<script" not in html


def test_message_page_without_a_body_and_in_an_unknown_language():
    html = render_message_page(language="xx", title_key="error_unknown_center", body_key="")
    assert '<html lang="az">' in html and "<p></p>" in html
    assert escape(i18n.text("error_unknown_center", "az")) in html
