"""PII masking of comments: phones, e-mails, cards, FIN codes; length limit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dost_contract.events import MAX_COMMENT_CHARS
from feedback_web.pii import clean_comment, mask_pii

NO_DIGITS = st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=30)
BETWEEN_DIGITS = st.sampled_from(["", "", " ", "-", "_", "/", ".", " - ", "  ", "(", ")", ") ", "–", " / "])


@pytest.mark.parametrize(
    "text,expected",
    [
        ("zəng edin +994 50 123 45 67", "zəng edin [phone]"),
        ("nömrəm 050-123-45-67 idi", "nömrəm [phone] idi"),
        ("мой номер (012) 493 22 11", "мой номер [phone]"),
        ("call 0501234567 please", "call [phone] please"),
        ("+994501234567", "[phone]"),
        ("write to ali.veliyev@mail.az now", "write to [email] now"),
        ("почта: test+x@example.com.", "почта: [email]."),
        ("kart 4169 7388 1234 5678 ilə", "kart [card] ilə"),
        ("card 4169738812345678", "card [card]"),
        ("FİN: 5ABC12D", "FİN: [fin]"),
        ("my FIN is 1ab2cd3", "my FIN is [fin]"),
        ("ФИН 6XK3M9P, паспорт", "ФИН [fin], паспорт"),
        # Glued to words, and the separators people really type.
        ("nömrəm0501234567", "nömrəm[phone]"),
        ("номер0501234567звоните", "номер[phone]звоните"),
        ("tel:050/123/45/67", "tel:[phone]"),
        ("050_123_45_67 yazın", "[phone] yazın"),
        ("nömrə 050 - 123 - 45 - 67", "nömrə [phone]"),
        ("Тел.:+994(50)1234567!", "Тел.:[phone]!"),
        ("номер 8-050-123-45-67.", "номер [phone]."),
        ("kart4169-7388-1234-5678", "kart[card]"),
        # FIN codes typed with Cyrillic look-alike letters.
        ("FİN: 5АВС12D", "FİN: [fin]"),
        ("ФИН 6ХК3М9Р, паспорт", "ФИН [fin], паспорт"),
        ("мой фин 1ав2се3", "мой фин [fin]"),
        # IBANs, grouped or not.
        ("IBAN AZ21 NABZ 0000 0000 1370 1000 1944 ok", "IBAN [iban] ok"),
        ("hesab az21nabz00000000137010001944", "hesab [iban]"),
        ("DE89 3704 0044 0532 0130 00.", "[iban]."),
    ],
)
def test_masks(text, expected):
    assert mask_pii(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "5 çox yaxşı idi",
        "waited 2 hours in room 214",
        "in 2024 I came 3 times",
        "paid 150 manat",
        "xidmət əla idi, təşəkkürlər",
        "очень долго, 40 минут",
        "ABCDEFG is just a word",
        "gəldim 01.12.2026 saat 10:30-da",
        "приходил 5/11/2025, ждал 40 минут",
        "Привет МОСКВА1",
        "Мы ждали в очереди, СТОЛ15 не работал",
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert mask_pii(text) == text


def test_clean_comment_masks_then_limits_and_trims():
    assert clean_comment("  nömrə 0501234567\x00 \n ") == "nömrə [phone]"
    assert clean_comment("   ") is None
    assert clean_comment(None) is None
    long = "a@b.cd " * 400  # masking makes it longer; the limit applies after
    cleaned = clean_comment(long)
    assert len(cleaned) <= MAX_COMMENT_CHARS
    assert "@" not in cleaned


@given(st.text(max_size=2000))
@settings(max_examples=300, deadline=None)
def test_clean_comment_is_total_and_bounded(text):
    cleaned = clean_comment(text)
    assert cleaned is None or 0 < len(cleaned) <= MAX_COMMENT_CHARS


@given(st.from_regex(r"\+994 ?(50|51|55|70|77|99) ?\d{3} ?\d{2} ?\d{2}", fullmatch=True))
@settings(max_examples=100, deadline=None)
def test_every_azerbaijani_mobile_number_is_masked(phone):
    assert mask_pii(f"nömrəm {phone} idi") == "nömrəm [phone] idi"


@given(
    st.from_regex(r"(\+994|0|994|8 ?0)(50|51|55|60|70|77|99|12)\d{7}", fullmatch=True),
    st.data(), NO_DIGITS, NO_DIGITS,
)
@settings(max_examples=500, deadline=None)
def test_a_masked_comment_never_holds_7_digits_of_a_phone_whatever_sits_between_them(phone, data, before, after):
    """However the number is split (spaces, - _ / . brackets, dashes) and whatever is glued
    to it (letters of any script, punctuation, emoji), fewer than 7 of its digits remain."""
    digits = [ch for ch in phone if ch.isdigit()]
    typed = ("+" if phone.startswith("+") else "") + "".join(
        digit + (data.draw(BETWEEN_DIGITS) if i < len(digits) - 1 else "") for i, digit in enumerate(digits))
    cleaned = clean_comment(before + typed + after) or ""
    assert sum(ch.isdigit() for ch in cleaned) < 7, (before + typed + after, cleaned)
