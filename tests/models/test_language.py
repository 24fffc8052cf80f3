import pytest

from models.comments import load_challenge, load_split
from models.language import detect_language, script_language


@pytest.mark.parametrize("text, expected", [
    ("Çox sağ olun, hər şey əla idi", "az"),
    ("cox sag olun, her sey ela idi", "az"),  # typed without Azerbaijani letters
    ("Очень долго ждал в очереди", "ru"),
    ("The staff were helpful", "en"),
    ("😡😡😡", None),
    ("   ", None),
    ("12345 !!!", None),
])
def test_detects_the_three_languages_and_none_without_letters(text, expected):
    assert detect_language(text) == expected


def test_script_rules_decide_cyrillic_and_azerbaijani_letters_only():
    assert script_language("Спасибо") == "ru"
    assert script_language("Təşəkkür") == "az"
    assert script_language("Thanks") is None


def test_accuracy_on_the_eval_and_challenge_sets_is_high():
    comments = load_split("eval") + load_challenge()
    correct = sum(detect_language(c.text) == c.language for c in comments)
    assert correct / len(comments) >= 0.97
