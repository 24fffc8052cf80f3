"""The built default model through both runtimes, and the interface's edge cases."""

import json

import numpy as np
import pytest

from dost_contract.settings import Settings
from models.loading import load_sentiment_model
from models.sentiment import Sentiment, SentimentModel, SentimentModelError

CLEAR = [
    ("İşçilər çox kobud idi, üç saat növbədə gözlədim.", "negative", "az"),
    ("Огромное спасибо, всё сделали быстро и вежливо!", "positive", "ru"),
    ("Terrible service, nobody helped me and I wasted the whole day.", "negative", "en"),
    ("Çox sağ olun, hər şey əla və sürətli idi!", "positive", "az"),
]


@pytest.mark.parametrize("runtime", ["onnx_model", "torch_model"])
def test_clear_comments_get_the_right_label_and_language(runtime, request):
    model: SentimentModel = request.getfixturevalue(runtime)
    results = model.predict([text for text, _, _ in CLEAR])
    assert [(r.label, r.language) for r in results] == [(label, lang) for _, label, lang in CLEAR]
    assert all(0.5 < r.score <= 1.0 for r in results)


def test_int8_agrees_with_fp32_on_the_eval_set(onnx_model, torch_model):
    from models.comments import load_split

    texts = [c.text for c in load_split("eval")]
    int8 = [r.label for r in onnx_model.predict(texts)]
    fp32 = [r.label for r in torch_model.predict(texts)]
    assert np.mean([a == b for a, b in zip(int8, fp32)]) >= 0.9


def test_nothing_to_read_is_neutral_without_running_the_model(onnx_model):
    assert onnx_model.predict(["", "   ", "\n\t"]) == [Sentiment("neutral", 1.0, None)] * 3
    assert onnx_model.predict([]) == []


def test_emoji_only_is_scored_without_a_language(onnx_model):
    result = onnx_model.predict(["😡😡😡", "👍"])
    assert all(r.language is None for r in result)
    assert all(r.label in ("negative", "neutral", "positive") for r in result)


def test_a_5000_character_comment_is_scored(onnx_model):
    long = "Növbə çox uzun idi və işçilər kobud idi. " * 125
    assert len(long) >= 5000
    (result,) = onnx_model.predict([long])
    assert result.label == "negative" and result.language == "az"


def test_order_is_kept_across_length_sorted_batches(onnx_model):
    texts = [text for text, _, _ in CLEAR] * 20  # several batches of mixed lengths
    labels = [r.label for r in onnx_model.predict(texts)]
    assert labels == [label for _, label, _ in CLEAR] * 20


def test_json_line_shape():
    assert json.dumps(Sentiment("positive", 0.912345, "az").as_dict()) == \
        '{"label": "positive", "score": 0.9123, "language": "az"}'


def test_bad_input_types(onnx_model):
    with pytest.raises(TypeError, match="list of texts"):
        onnx_model.predict("one string")
    with pytest.raises(TypeError, match="must be a string"):
        onnx_model.predict(["fine", None])


def test_missing_model_names_the_build_command(tmp_path):
    with pytest.raises(SentimentModelError, match="dost-feedback models build"):
        load_sentiment_model(Settings(sentiment_model=str(tmp_path / "nothing-here")))


def test_onnx_runtime_without_an_onnx_file_is_a_clear_error(tmp_path, model_dir):
    (tmp_path / "config.json").write_text((model_dir / "config.json").read_text())
    with pytest.raises(SentimentModelError, match="model.int8.onnx is missing"):
        load_sentiment_model(Settings(sentiment_model=str(tmp_path), sentiment_runtime="onnx"))


def test_unreachable_hub_id_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # no model hub here: fail fast instead of timing out
    with pytest.raises(SentimentModelError, match="cannot load sentiment model 'example-org/no-such-model'"):
        load_sentiment_model(Settings(sentiment_model="example-org/no-such-model"))


def test_auto_runtime_serves_our_build_through_onnx(model_dir):
    assert load_sentiment_model(Settings(sentiment_model=str(model_dir))).name.startswith("onnxruntime:")
