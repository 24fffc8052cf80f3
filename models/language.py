"""Which language a comment is in: Azerbaijani, Russian, English, or none.

lingua-language-detector (Apache-2.0, maintained, offline n-gram models) restricted to the
three languages DOST citizens write in. Cheap script rules go first, because detection runs
on every comment on the sentiment hot path: Cyrillic is Russian, and Latin with letters that
only Azerbaijani has (ə, ğ, ı, ş, ...) is Azerbaijani. lingua decides the rest: plain Latin,
which is English or Azerbaijani typed without its letters ("cox sag olun"). A comment without
any letter (emoji, digits, punctuation) has no language. The accuracy on the eval set is in
docs/sentiment.md.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Letters that Azerbaijani Latin has and English does not.
_AZ_LETTERS = set("əƏığĞşŞçÇöÖüÜİ")


def letters(text: str) -> list[str]:
    return [ch for ch in text if unicodedata.category(ch).startswith("L")]


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = {Language.AZERBAIJANI: "az", Language.RUSSIAN: "ru", Language.ENGLISH: "en"}
    detector = LanguageDetectorBuilder.from_languages(*languages).build()
    return detector, languages


def script_language(text: str) -> str | None:
    """The script rules: 'ru' for mostly Cyrillic, 'az' for az-only letters, else None (undecided)."""
    return _script_language(letters(text))


def _script_language(found: list[str]) -> str | None:
    cyrillic = sum("CYRILLIC" in unicodedata.name(ch, "") for ch in found)
    if found and cyrillic * 2 >= len(found):
        return "ru"
    return "az" if any(ch in _AZ_LETTERS for ch in found) else None


def detect_language(text: str) -> str | None:
    """'az', 'ru', 'en', or None for a comment with no letters."""
    found = letters(text)
    if not found:
        return None
    by_script = _script_language(found)
    if by_script is not None:
        return by_script
    detector, codes = _detector()
    detected = detector.detect_language_of(text)
    return codes[detected] if detected is not None else "en"

