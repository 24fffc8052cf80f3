"""The transformers backend: any text-classification checkpoint, a local directory or a hub id.

This is how production points ``DOST_SENTIMENT_MODEL`` at, for example, a multilingual
XLM-R sentiment checkpoint without a code change. Needs torch (``pip install
'dost-feedback[model-build]'``); the default worker serves through ONNX Runtime instead.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from models.batching import length_sorted_batches
from models.sentiment import SentimentModelError


class TransformersBackend:
    def __init__(self, source: str, max_tokens: int = 128, batch_size: int = 32, threads: int = 0) -> None:
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:
            raise SentimentModelError(
                f"the transformers backend needs torch and transformers ({exc}); "
                "install them with: pip install 'dost-feedback[model-build]'"
            ) from None
        if threads:
            torch.set_num_threads(threads)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(source)
            self.model = AutoModelForSequenceClassification.from_pretrained(source)
        except (OSError, ValueError) as exc:
            raise SentimentModelError(f"cannot load sentiment model {source!r}: {exc}") from None
        self.model.eval()
        self.id2label = {int(i): name for i, name in self.model.config.id2label.items()}
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self._torch = torch

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        torch = self._torch
        # Tokenize once: the lengths sort the batches, and each batch only pads its own ids.
        encoded = self.tokenizer(list(texts), truncation=True, max_length=self.max_tokens)["input_ids"]
        out = np.zeros((len(texts), len(self.id2label)), dtype=np.float32)
        with torch.inference_mode():
            for batch in length_sorted_batches([len(ids) for ids in encoded], self.batch_size):
                inputs = self.tokenizer.pad({"input_ids": [encoded[i] for i in batch]}, return_tensors="pt")
                logits = self.model(**inputs).logits
                out[batch] = torch.softmax(logits.float(), dim=-1).numpy()
        return out
