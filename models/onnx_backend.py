"""The serving backend: the classifier exported to ONNX, run by ONNX Runtime (no torch).

Loads ``<model dir>/onnx/<file>`` (the build writes ``model.int8.onnx``, dynamically
quantized, and ``model.onnx``) with the checkpoint's ``tokenizer.json`` and ``config.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from models.batching import length_sorted_batches
from models.e5_encoder import PAD_ID
from models.labels import softmax
from models.sentiment import SentimentModelError


class OnnxBackend:
    def __init__(self, model_dir: Path, onnx_file: str, max_tokens: int = 128, batch_size: int = 32,
                 threads: int = 0) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        path = model_dir / "onnx" / onnx_file
        for required in (path, model_dir / "tokenizer.json", model_dir / "config.json"):
            if not required.is_file():
                raise SentimentModelError(f"{required} is missing")
        config = json.loads((model_dir / "config.json").read_text())
        self.id2label = {int(i): name for i, name in config["id2label"].items()}
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.batch_size = batch_size

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        encodings = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        out = np.zeros((len(texts), len(self.id2label)), dtype=np.float32)
        for batch in length_sorted_batches([len(ids) for ids in encodings], self.batch_size):
            length = max(len(encodings[i]) for i in batch)
            input_ids = np.full((len(batch), length), PAD_ID, dtype=np.int64)
            attention_mask = np.zeros((len(batch), length), dtype=np.int64)
            for row, i in enumerate(batch):
                input_ids[row, : len(encodings[i])] = encodings[i]
                attention_mask[row, : len(encodings[i])] = 1
            feeds = {"input_ids": input_ids, "attention_mask": attention_mask}
            if "token_type_ids" in self.input_names:
                feeds["token_type_ids"] = np.zeros_like(input_ids)
            (logits,) = self.session.run(["logits"], feeds)
            out[batch] = softmax(logits)
        return out
