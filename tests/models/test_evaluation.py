import pytest

from models.evaluation import confusion_table, score


def test_scores_a_known_confusion():
    true = ["negative", "negative", "neutral", "positive", "positive", "positive"]
    predicted = ["negative", "neutral", "neutral", "positive", "positive", "negative"]
    s = score(true, predicted)
    assert s.accuracy == pytest.approx(4 / 6)
    assert s.f1["negative"] == pytest.approx(2 * 1 / (2 * 1 + 1 + 1))
    assert s.f1["neutral"] == pytest.approx(2 / 3)
    assert s.f1["positive"] == pytest.approx(2 * 2 / (2 * 2 + 0 + 1))
    assert s.macro_f1 == pytest.approx((0.5 + 2 / 3 + 0.8) / 3)
    assert s.confusion["positive"]["negative"] == 1
    assert s.polar_accuracy == pytest.approx(3 / 5)
    assert "| positive | 1 | 0 | 2 |" in confusion_table(s)


def test_perfect_and_errors():
    assert score(["neutral"], ["neutral"]).macro_f1 == 1.0
    with pytest.raises(ValueError, match="2 true labels but 1"):
        score(["neutral", "neutral"], ["neutral"])
    with pytest.raises(ValueError, match="unknown labels"):
        score(["great"], ["neutral"])
    with pytest.raises(ValueError, match="nothing"):
        score([], [])
