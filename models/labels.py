"""Mapping any sentiment checkpoint's labels onto the contract's negative/neutral/positive.

``DOST_SENTIMENT_MODEL`` may name any text-classification checkpoint. Their label names
differ: ours and many XLM-R sentiment models say negative/neutral/positive; others say
LABEL_0..LABEL_2 (taken in that order), or "1 star".."5 stars" (1-2 negative, 3 neutral,
4-5 positive). Probabilities of labels that map to the same contract label are added.
"""

from __future__ import annotations

import re
from typing import Mapping

import numpy as np

CONTRACT_LABELS = ("negative", "neutral", "positive")
_NAMES = {
    "negative": "negative", "neg": "negative",
    "neutral": "neutral", "neu": "neutral",
    "positive": "positive", "pos": "positive",
}


class LabelMappingError(ValueError):
    """The checkpoint's labels cannot be read as negative/neutral/positive."""


def _contract_label(name: str, index: int, count: int) -> str:
    key = name.strip().lower()
    if key in _NAMES:
        return _NAMES[key]
    stars = re.fullmatch(r"([1-5])\s*stars?", key)
    if stars:
        value = int(stars.group(1))
        return "negative" if value <= 2 else "neutral" if value == 3 else "positive"
    if re.fullmatch(r"label_\d+", key):
        if count == 3:
            return CONTRACT_LABELS[index]
        if count == 2:  # binary checkpoints: LABEL_0 negative, LABEL_1 positive
            return ("negative", "positive")[index]
    raise LabelMappingError(
        f"label {name!r} of the sentiment model cannot be mapped to negative/neutral/positive"
    )


def label_matrix(id2label: Mapping[int, str]) -> np.ndarray:
    """[model labels, 3] 0/1 matrix: model probabilities @ matrix = contract probabilities."""
    count = len(id2label)
    if count < 2:
        raise LabelMappingError(f"a sentiment model needs at least 2 labels, this one has {count}")
    matrix = np.zeros((count, len(CONTRACT_LABELS)), dtype=np.float32)
    for index in range(count):
        if index not in id2label:
            raise LabelMappingError(f"the model's labels skip index {index}")
        matrix[index, CONTRACT_LABELS.index(_contract_label(id2label[index], index, count))] = 1.0
    return matrix


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)
