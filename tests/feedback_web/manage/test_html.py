"""The managers' page shell: escaped values, language links, the CSRF field in every form."""

from __future__ import annotations

from feedback_web.manage import html


def test_page_escapes_and_links_every_language():
    page = html.page(language="en", title="<b>x</b>", body="<p>body</p>", path="/manage/cases", csrf='"c',
                     email="m@example.az", query={"status": "open"})
    assert "<title>&lt;b&gt;x&lt;/b&gt;" in page and "<p>body</p>" in page
    assert 'value="&quot;c"' in page and 'action="/manage/sign-out"' in page
    assert 'href="/manage/cases?status=open&amp;lang=ru"' in page and '<html lang="en">' in page
    assert 'aria-current="true">English' in page


def test_messages_and_options():
    assert html.message("error", None) == ""
    assert html.message("error", "<x>") == '<p class="error" role="alert">&lt;x&gt;</p>'
    assert html.options([("a", "A"), ("b", "B")], "b", "Any") == (
        '<option value="">Any</option><option value="a">A</option><option value="b" selected>B</option>')
