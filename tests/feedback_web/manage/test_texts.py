"""Every managers' string exists in az, ru and en; unknown keys degrade to a readable label."""

from __future__ import annotations

from feedback_web.manage import texts


def test_every_key_in_every_language():
    for key, messages in texts.MESSAGES.items():
        assert set(messages) == set(texts.LANGUAGES), key
        assert all(value.strip() for value in messages.values()), key


def test_placeholders_are_the_same_in_every_language():
    import string

    for key, messages in texts.MESSAGES.items():
        fields = {tuple(sorted(f for _, f, _, _ in string.Formatter().parse(m) if f)) for m in messages.values()}
        assert len(fields) == 1, key


def test_text_formats_and_falls_back():
    assert texts.text("signed_in_as", "ru", email="a@b.az") == "Вы вошли как a@b.az"
    assert texts.text("cause_new_kind", "en") == "new kind"
    assert texts.text("sign_in", "xx") == texts.text("sign_in", "az")
