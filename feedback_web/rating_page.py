"""Server-rendered HTML for the citizen's rating screens: the kiosk and the QR form.

Both use one page and one script (``static/rating.js``): the kiosk posts to the API with
its device token and resets for the next citizen; the QR form posts to ``/r/{token}`` once.
The page is complete without JavaScript's text: every string comes from ``i18n``, and
every value put into HTML is escaped here.
"""

from __future__ import annotations

import json
from html import escape
from typing import Literal

from dost_channels import i18n
from dost_contract.centers import Center
from dost_contract.events import MAX_COMMENT_CHARS, ServiceGroup

Mode = Literal["kiosk", "qr"]

FACE_COLORS = {1: "#b3261e", 2: "#d9591c", 3: "#b08600", 4: "#4d8a1f", 5: "#1b6e34"}
# Mouth curvature per rating: a frown at 1, flat at 3, a wide smile at 5.
MOUTH_CURVE = {1: -14, 2: -7, 3: 0, 4: 8, 5: 15}


def face_svg(rating: int) -> str:
    curve = MOUTH_CURVE[rating]
    return (
        f'<svg class="face-icon" viewBox="0 0 100 100" aria-hidden="true" focusable="false">'
        f'<circle cx="50" cy="50" r="46" fill="{FACE_COLORS[rating]}"/>'
        f'<circle cx="34" cy="40" r="6" fill="#fff"/><circle cx="66" cy="40" r="6" fill="#fff"/>'
        f'<path d="M30 {68 - curve / 2} Q50 {68 + curve} 70 {68 - curve / 2}" stroke="#fff" stroke-width="7" '
        f'fill="none" stroke-linecap="round"/></svg>'
    )


def _t(key: str, language: str, tag: str = "span", **attrs: str) -> str:
    """An element whose text the script swaps on a language switch (``data-i18n``)."""
    extra = "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attrs.items())
    return f'<{tag} data-i18n="{key}"{extra}>{escape(i18n.text(key, language))}</{tag}>'


def _shell(language: str, title_key: str, body: str, head_extra: str = "") -> str:
    return f"""<!doctype html>
<html lang="{escape(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title data-i18n="{title_key}">{escape(i18n.text(title_key, language))}</title>
<link rel="stylesheet" href="/static/rating.css">
{head_extra}
</head>
<body>
{body}
</body>
</html>
"""


def language_switch(language: str) -> str:
    buttons = "".join(
        f'<button type="button" class="lang" data-lang="{code}" lang="{code}" '
        f'aria-pressed="{"true" if code == language else "false"}">{escape(name)}</button>'
        for code, name in i18n.LANGUAGE_NAMES.items()
    )
    return (f'<nav class="langs" aria-labelledby="lang-label">'
            f'{_t("language_label", language, id="lang-label", class_="visually-hidden")}{buttons}</nav>')


def render_rating_page(*, mode: Mode, center: Center, language: str, submit_url: str,
                       service_group: str | None = None, reset_seconds: int = 8) -> str:
    language = i18n.language_or_default(language)
    config = {
        "mode": mode,
        "centerId": center.center_id,
        "submitUrl": submit_url,
        "serviceGroup": service_group,
        "resetSeconds": reset_seconds,
        "defaultLanguage": i18n.DEFAULT_LANGUAGE,
        "language": language,
        "maxCommentChars": MAX_COMMENT_CHARS,
        "messages": {code: i18n.table(code) for code in i18n.LANGUAGES},
        "centerNames": {"az": center.name.az, "ru": center.name.az, "en": center.name.en},
    }
    faces = "".join(
        f'<button type="button" class="face" data-rating="{r}" aria-describedby="rating-label">'
        f'{face_svg(r)}<span class="face-number">{r}</span>{_t(f"rating_{r}", language, class_="face-label")}'
        f"</button>"
        for r in range(1, 6)
    )
    options = _t("service_none", language, tag="option", value="") + "".join(
        _t(f"service_{g.value}", language, tag="option", value=g.value) for g in ServiceGroup
    )
    service_choice = "" if service_group else (
        f'<div class="service"><label for="service">{_t("service_label", language)}</label>'
        f'<select id="service" name="service_group">{options}</select></div>'
    )
    center_name = center.name.en if language == "en" else center.name.az
    reset_note = _t("thanks_reset", language, tag="p") if mode == "kiosk" else ""
    done_button = _t("done", language, tag="button", type="button", id="done", class_="primary") if mode == "kiosk" else ""
    # JSON inside <script>: every "<" is escaped, so a string can neither close the element
    # ("</script>") nor switch the parser into its double-escaped state ("<!--<script>").
    config_json = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    body = f"""<div class="app mode-{mode}">
<header>
  <div class="brand"><span class="logo" aria-hidden="true">DOST</span>
  <span class="center-name" id="center-name">{escape(center_name)}</span></div>
  {language_switch(language)}
</header>
<main>
  <section id="screen-rate" class="screen" aria-labelledby="question">
    <h1 id="question" data-i18n="question" tabindex="-1">{escape(i18n.text("question", language))}</h1>
    {service_choice}
    <p id="rating-label" class="visually-hidden" data-i18n="rating_group_label">{escape(i18n.text("rating_group_label", language))}</p>
    <div class="faces" role="group" aria-labelledby="question">{faces}</div>
  </section>
  <section id="screen-comment" class="screen" hidden aria-labelledby="comment-title">
    <h1 id="comment-title" data-i18n="comment_title">{escape(i18n.text("comment_title", language))}</h1>
    <label for="comment">{_t("comment_label", language)}</label>
    <textarea id="comment" name="comment" rows="4" maxlength="{MAX_COMMENT_CHARS}" aria-describedby="comment-hint"></textarea>
    <p id="comment-hint" class="hint" data-i18n="comment_hint">{escape(i18n.text("comment_hint", language))}</p>
    <div class="actions">
      <button type="button" id="send" class="primary" data-i18n="send">{escape(i18n.text("send", language))}</button>
      <button type="button" id="skip" data-i18n="skip">{escape(i18n.text("skip", language))}</button>
      <button type="button" id="back" data-i18n="back">{escape(i18n.text("back", language))}</button>
    </div>
  </section>
  <section id="screen-thanks" class="screen" hidden aria-labelledby="thanks-title">
    <h1 id="thanks-title" data-i18n="thanks_title">{escape(i18n.text("thanks_title", language))}</h1>
    {_t("thanks_body", language, tag="p")}
    {reset_note}
    {done_button}
  </section>
  <section id="screen-error" class="screen" hidden role="alert">
    <h1 id="error-text" data-i18n="error_generic" tabindex="-1">{escape(i18n.text("error_generic", language))}</h1>
  </section>
  <div id="status" class="status" role="status" aria-live="polite" hidden>
    <span data-i18n="queued_notice">{escape(i18n.text("queued_notice", language))}</span>
    <span data-i18n="pending_count">{escape(i18n.text("pending_count", language))}</span> <span id="pending">0</span>
  </div>
</main>
</div>
<script type="application/json" id="config">{config_json}</script>
<script src="/static/rating.js"></script>"""
    head = "" if mode == "kiosk" else '<meta name="robots" content="noindex">'
    return _shell(language, "page_title", body, head)


def render_message_page(*, language: str, title_key: str, body_key: str) -> str:
    """A friendly full page for a used, expired or unknown link or center: no stack traces."""
    language = i18n.language_or_default(language)
    body = f"""<div class="app">
<header><div class="brand"><span class="logo" aria-hidden="true">DOST</span></div></header>
<main><section class="screen message" aria-labelledby="message-title">
<h1 id="message-title">{escape(i18n.text(title_key, language))}</h1>
<p>{escape(i18n.text(body_key, language)) if body_key else ""}</p>
</section></main></div>"""
    return _shell(language, "page_title", body)
