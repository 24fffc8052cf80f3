"""The build's cache and its output: a standard checkpoint that pipeline() loads."""

import json
import shutil

from models import build, comments
from models.training import TrainingConfig


def test_built_checkpoint_loads_in_a_plain_transformers_pipeline(model_dir):
    from transformers import pipeline

    classify = pipeline("text-classification", model=str(model_dir))
    (result,) = classify("Sənədlərimi itirdilər, çox pis xidmətdir.")
    assert result["label"] == "negative"
    assert set(json.loads((model_dir / "config.json").read_text())["id2label"].values()) == {
        "negative", "neutral", "positive"}


def test_the_built_model_is_up_to_date_for_its_inputs(model_dir):
    assert build.is_up_to_date(model_dir, build.fingerprint(TrainingConfig(), with_onnx=True))


def test_fingerprint_changes_with_any_input(tmp_path, monkeypatch):
    base = build.fingerprint(TrainingConfig(), with_onnx=True)
    assert build.fingerprint(TrainingConfig(epochs=TrainingConfig().epochs + 1), with_onnx=True) != base
    assert build.fingerprint(TrainingConfig(), with_onnx=False) != base
    data = tmp_path / "data"
    shutil.copytree(comments.DATA_DIR, data)
    monkeypatch.setattr(comments, "DATA_DIR", data)
    assert build.fingerprint(TrainingConfig(), with_onnx=True) == base
    with (data / "train" / "en.txt").open("a", encoding="utf-8") as f:
        f.write("positive | One more happy citizen.\n")
    assert build.fingerprint(TrainingConfig(), with_onnx=True) != base


def test_a_missing_or_corrupt_build_info_is_not_up_to_date(tmp_path):
    assert not build.is_up_to_date(tmp_path, "abc")
    (tmp_path / build.BUILD_INFO).write_text("{not json")
    assert not build.is_up_to_date(tmp_path, "abc")


def test_eval_report_meets_the_floor_it_was_built_with(model_dir):
    """Guards against a broken build: far below what docs/sentiment.md reports."""
    evaluation = json.loads((model_dir / build.EVAL_FILE).read_text())
    for runtime in evaluation["runtimes"].values():
        for language, scores in runtime["languages"].items():
            assert scores["count"] >= 50
            assert scores["macro_f1"] >= 0.7, (language, scores["macro_f1"])
