import pytest

from models.report import BEGIN, END, render_report, replace_section


def _scores(macro_f1):
    confusion = {t: {p: (5 if t == p else 0) for p in ("negative", "neutral", "positive")}
                 for t in ("negative", "neutral", "positive")}
    return {"count": 15, "accuracy": 1.0, "macro_f1": macro_f1, "f1": {"negative": 1.0, "neutral": 1.0, "positive": 1.0},
            "confusion": confusion, "pos_vs_neg_accuracy": 1.0, "pos_vs_neg_strict_accuracy": 0.9}


def test_report_shows_every_language_and_the_challenge_set():
    runtime = {"languages": {"az": _scores(0.81), "ru": _scores(0.82), "en": _scores(0.83)}, "all": _scores(0.82),
               "language_detection_accuracy": 0.99,
               "challenge": [{"text": "Thanks for nothing.", "language": "en", "label": "negative",
                              "predicted": "positive", "score": 0.9, "detected_language": "en"}]}
    text = render_report({"eval_comments": 45, "runtimes": {"onnx_int8": runtime}}, {"built_at": "now"})
    assert text.startswith(BEGIN) and text.endswith(END)
    for expected in ("| Azerbaijani | 15 | 1.000 | 0.810 |", "| Russian |", "| English |", "0.990",
                     "Thanks for nothing. | negative | positive (0.90) ✗", "| negative | 5 | 0 | 0 |"):
        assert expected in text


def test_replace_section_keeps_the_prose_around_it():
    document = f"intro\n{BEGIN}\nold\n{END}\noutro\n"
    assert replace_section(document, f"{BEGIN}\nnew\n{END}") == f"intro\n{BEGIN}\nnew\n{END}\noutro\n"
    with pytest.raises(ValueError, match="markers"):
        replace_section("no markers", "x")
