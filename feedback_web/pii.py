"""Masking personal data in citizens' comments before they are published.

Comments go to Kafka, dashboards and analysts; a citizen who types a phone number,
an e-mail, a card number, an IBAN or a FIN code into one must not leave it there,
however it is written: glued to words, split by / _ - or spaces, or with Cyrillic
letters in a FIN. Masking
replaces each with a placeholder, then the comment is length-limited.
"""

from __future__ import annotations

import re
import unicodedata

from dost_contract.events import MAX_COMMENT_CHARS

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# IBANs: 2 letters, 2 check digits, then 12-30 letters and digits, in groups of four or
# not (AZ21 NABZ 0000 0000 1370 1000 1944, az21nabz00000000137010001944).
IBAN = re.compile(r"(?<![^\W\d_])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){3,7}(?:[ ]?\d{1,3}|[A-Z0-9]{1,3})?(?![^\W_])",
                  re.IGNORECASE | re.ASCII)
# What people type between the digits of one number: spaces, - _ / . ( ) and dashes,
# up to three of them (" - "). Digits glued to letters count too: "nömrəm0501234567".
SEPARATORS = r"[\s_/().\-\u2010-\u2015]{0,3}"
# 13-19 digits with those separators: payment card numbers.
CARD = re.compile(rf"(?<!\d)\d(?:{SEPARATORS}\d){{12,18}}(?!\d)")
# A date (01.12.2026, 1/12/2026) is not a phone number.
DATE = r"(?!\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d{2}(?!\d))"
# 7 to 15 digits with those separators, optionally after + or (: phone numbers, in any
# form (+994 50 123 45 67, 050-123-45-67, (012) 493 22 11, 050_123_45_67, 050/123/4567).
PHONE = re.compile(rf"(?:\+|\((?=\d))?(?<!\d){DATE}\d(?:{SEPARATORS}\d){{6,14}}(?!\d)")
# Cyrillic letters that look like Latin ones, as typed on a Russian keyboard layout.
LOOKALIKES = str.maketrans("АВСЕНКМОРТХУаеорсухкмтв", "ABCEHKMOPTXYaeopcyxkmtb")
# The personal identification number (FIN) on Azerbaijani ID cards: 7 Latin letters and
# digits, here also typed with Cyrillic look-alikes. Requiring both a letter and a digit
# keeps ordinary words and numbers intact; with Cyrillic letters in it, two digits (a
# Russian word with one digit, "МОСКВА1", is not a FIN).
FIN_CHARS = "A-Za-z0-9АВСЕНКМОРТХУаеорсухкмтв"
FIN = re.compile(rf"(?<!\w)[{FIN_CHARS}]{{7}}(?!\w)")


def _fin(match: re.Match) -> str:
    token = match.group()
    digits = sum(ch.isdigit() for ch in token)
    latin = token.translate(LOOKALIKES)
    cyrillic = latin != token
    if digits and digits < 7 and latin.isascii() and (digits >= 2 or not cyrillic):
        return "[fin]"
    return token


MASKS = (("[email]", EMAIL), ("[iban]", IBAN), ("[card]", CARD), ("[phone]", PHONE), ("[fin]", FIN))


def mask_pii(text: str) -> str:
    """``text`` with e-mails, IBANs, card numbers, phone numbers and FIN codes replaced by placeholders."""
    for placeholder, pattern in MASKS:
        text = pattern.sub(_fin if pattern is FIN else placeholder, text)
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
