"""Server-rendered HTML of the managers' pages: the shell, forms with their CSRF token, escaping.

Every value put into HTML goes through ``escape`` here; every string comes from ``texts``.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from feedback_web.manage import texts


def t(key: str, language: str, **values: str) -> str:
    return escape(texts.text(key, language, **values))


def language_links(language: str, path: str, query: dict[str, str] | None = None) -> str:
    links = "".join(
        f'<a href="{escape(path)}?{escape(urlencode({**(query or {}), "lang": code}))}" lang="{code}" '
        f'hreflang="{code}" aria-current="{"true" if code == language else "false"}">{escape(name)}</a>'
        for code, name in texts.LANGUAGE_NAMES.items()
    )
    return f'<nav class="langs" aria-label="{t("language_label", language)}">{links}</nav>'


def csrf_field(csrf: str) -> str:
    return f'<input type="hidden" name="csrf" value="{escape(csrf)}">'


def page(*, language: str, title: str, body: str, path: str, csrf: str, email: str | None = None,
         query: dict[str, str] | None = None) -> str:
    """A whole page: header (name, languages, who is signed in), then ``body`` in ``<main>``."""
    account = ""
    if email:
        account = (f'<span>{t("signed_in_as", language, email=email)}</span>'
                   f'<form method="post" action="/manage/sign-out">{csrf_field(csrf)}'
                   f'<button type="submit" class="secondary">{t("sign_out", language)}</button></form>')
    return f"""<!doctype html>
<html lang="{escape(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{escape(title)} · {t("app_name", language)}</title>
<link rel="stylesheet" href="/static/manage.css">
</head>
<body>
<a class="skip" href="#main">{t("skip_to_content", language)}</a>
<header><span class="brand">{t("app_name", language)}</span>{language_links(language, path, query)}
<div>{account}</div></header>
<main id="main">
<h1>{escape(title)}</h1>
{body}
</main>
</body>
</html>
"""


def message(kind: str, text: str | None) -> str:
    """An error or a notice, announced to screen readers."""
    if not text:
        return ""
    role = "alert" if kind == "error" else "status"
    return f'<p class="{kind}" role="{role}">{escape(text)}</p>'


def options(values: list[tuple[str, str]], selected: str | None, empty_label: str | None = None) -> str:
    """``<option>`` elements (value, label); ``empty_label`` adds a first empty choice."""
    html = f'<option value="">{escape(empty_label)}</option>' if empty_label is not None else ""
    return html + "".join(
        f'<option value="{escape(value)}"{" selected" if value == selected else ""}>{escape(label)}</option>'
        for value, label in values
    )
