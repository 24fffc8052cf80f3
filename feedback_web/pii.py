"""Masking personal data in citizens' comments before they are published.

Comments go to Kafka, dashboards and analysts; a citizen who types a phone number,
an e-mail, a card number or a FIN code into one must not leave it there. Masking
replaces each with a placeholder, then the comment is length-limited.
"""

from __future__ import annotations

import re
import unicodedata

from dost_contract.events import MAX_COMMENT_CHARS

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# 13-19 digits, optionally grouped by spaces or dashes: payment card numbers.
CARD = re.compile(r"(?<![\w+])\d(?:[ -]?\d){12,18}(?!\w)")
# 7-12 digits with the separators people type in phone numbers, optionally after +.
# Azerbaijani numbers: +994 50 123 45 67, 050-123-45-67, (012) 493 22 11, 4932211.
PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().-]{0,2}\d){6,11}(?!\w)")
# The personal identification number (FIN) on Azerbaijani ID cards: 7 Latin letters and
# digits. Requiring both a letter and a digit keeps ordinary words and numbers intact.
FIN = re.compile(r"(?<![\w])(?=[A-Za-z0-9]{0,6}\d)(?=[A-Za-z0-9]{0,6}[A-Za-z])[A-Za-z0-9]{7}(?![\w])", re.ASCII)

MASKS = (("[email]", EMAIL), ("[card]", CARD), ("[phone]", PHONE), ("[fin]", FIN))


def mask_pii(text: str) -> str:
    """``text`` with e-mails, card numbers, phone numbers and FIN codes replaced by placeholders."""
    for placeholder, pattern in MASKS:
        text = pattern.sub(placeholder, text)
    return text


def clean_comment(text: str | None, max_chars: int = MAX_COMMENT_CHARS) -> str | None:
    """A comment ready to publish: control characters dropped, PII masked, trimmed, length-limited.

    Masking comes before truncation so a number cut in half is never left unmasked.
    Returns None for an empty comment.
    """
    if text is None:
        return None
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200d" else ch for ch in text
    )
    text = " ".join(mask_pii(text).split())
    return text[:max_chars].rstrip() or None
