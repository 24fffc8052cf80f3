"""Every citizen-facing string exists, non-empty, in az, ru and en."""

from dost_channels import i18n
from dost_contract.events import ServiceGroup


def test_every_key_in_every_language():
    for key, messages in i18n.MESSAGES.items():
        assert set(messages) == set(i18n.LANGUAGES), key
        assert all(text.strip() for text in messages.values()), key


def test_translations_differ_where_the_alphabet_does():
    # Russian must not be a copy of Azerbaijani or English (a sign of a missed string).
    for key, messages in i18n.MESSAGES.items():
        assert messages["ru"] != messages["en"] and messages["ru"] != messages["az"], key


def test_every_service_group_and_rating_has_a_name():
    for group in ServiceGroup:
        assert f"service_{group.value}" in i18n.MESSAGES
    for rating in range(1, 6):
        assert f"rating_{rating}" in i18n.MESSAGES


def test_sms_texts_fit_the_templates():
    for language in i18n.LANGUAGES:
        assert "Bakı" in i18n.text("sms_invitation", language, center="Bakı 1")
    assert "DAYAN" in i18n.text("sms_invitation", "az") .replace("{center}", "")
    assert "СТОП" in i18n.text("sms_help", "ru")
    assert "STOP" in i18n.text("sms_help", "en")


def test_language_choice():
    assert i18n.pick_language(None) == "az"
    assert i18n.pick_language("ru") == "ru"
    assert i18n.pick_language("xx", "en-GB,en;q=0.9") == "en"
    assert i18n.pick_language(None, "de-DE,ru;q=0.8") == "ru"
    assert i18n.text("done", "fr") == i18n.text("done", "az")
