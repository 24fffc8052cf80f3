"""Sentiment throughput on CPU: comments/s for our runtimes vs a naive pipeline() baseline.

Not a test (timings depend on the machine). Run after scripts/setup.sh:

    .venv/bin/python bench/sentiment_throughput.py            # prints a Markdown table

Every configuration scores the same real-length comments (the project's labelled sets),
in the same process, on the same threads:
- baseline: ``transformers.pipeline("text-classification", model=DIR)``, one comment per call;
- ours, fp32: the transformers backend (length-sorted batches, no pipeline overhead);
- ours, int8: ONNX Runtime dynamic int8 (what the worker serves).
"Ours" includes language detection, as the worker runs it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from dost_contract.settings import Settings
from models.comments import load_challenge, load_split
from models.onnx_backend import OnnxBackend
from models.onnx_export import INT8_FILE
from models.sentiment import SentimentModel
from models.transformers_backend import TransformersBackend


def timed_pass(score_batch, texts: list[str], batch_size: int) -> float:
    """Comments/s of one pass over ``texts`` in calls of ``batch_size``."""
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        score_batch(texts[start : start + batch_size])
    return len(texts) / (time.perf_counter() - started)


def round_robin(configs: dict, repeats: int) -> dict[str, float]:
    """Median comments/s per configuration. Passes are interleaved (A B C, A B C, ...) so that
    a burst of load from other processes on the machine hits every configuration alike."""
    rates: dict[str, list[float]] = {name: [] for name in configs}
    for _ in range(repeats):
        for name, (score_batch, texts, batch_size) in configs.items():
            rates[name].append(timed_pass(score_batch, texts, batch_size))
    return {name: statistics.median(values) for name, values in rates.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=Settings().sentiment_model, help="built model directory")
    parser.add_argument("--comments", type=int, default=256, help="comments per pass (batched runs)")
    parser.add_argument("--baseline-comments", type=int, default=64, help="comments per pass (batch-1 runs)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    import torch
    from transformers import pipeline

    torch.set_num_threads(args.threads)
    pool = [c.text for c in load_split("eval") + load_split("train") + load_challenge()]
    texts = (pool * (args.comments // len(pool) + 1))[: args.comments]
    single = pool[: args.baseline_comments]

    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    naive = pipeline("text-classification", model=args.model, device=-1)
    fp32 = SentimentModel(TransformersBackend(args.model, threads=args.threads), "fp32")
    int8 = SentimentModel(OnnxBackend(Path(args.model), INT8_FILE, threads=args.threads), "int8")
    for model in (fp32, int8):
        model.predict(pool[:40])  # warm-up: lazy loads, allocator, language models
    naive(pool[:8])

    configs = {
        ("baseline: pipeline(), one comment per call, fp32", 1): (lambda b: [naive(t) for t in b], single, 1),
        ("ours, transformers fp32", 1): (fp32.predict, single, 1),
        ("ours, transformers fp32", 32): (fp32.predict, texts, 32),
        ("ours, ONNX Runtime int8", 1): (int8.predict, single, 1),
        ("ours, ONNX Runtime int8", 32): (int8.predict, texts, 32),
    }
    medians = round_robin(configs, args.repeats)
    baseline = medians[("baseline: pipeline(), one comment per call, fp32", 1)]
    rows = [(name, batch, rate) for (name, batch), rate in medians.items()]

    lengths = [len(ids) for ids in int8.backend.tokenizer.encode_batch(texts)]
    print(f"CPU: {platform.processor() or platform.machine()}, {args.threads} threads; "
          f"{len(pool)} distinct comments, median {statistics.median(lengths):.0f} tokens; "
          f"median of {args.repeats} interleaved passes")
    print()
    print("| runtime | batch | comments/s | × baseline |")
    print("|---|---|---|---|")
    for name, batch, rate in rows:
        print(f"| {name} | {batch} | {rate:,.0f} | {rate / baseline:.1f}× |")


if __name__ == "__main__":
    main()
