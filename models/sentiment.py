"""The one sentiment interface: texts in, (label, score, language) out, one per text.

A ``SentimentModel`` wraps a classifier backend (``models/onnx_backend.py`` or
``models/transformers_backend.py``) that turns texts into probabilities over the backend's
own labels. This module handles what every backend shares:
- comments with nothing to read (empty, whitespace) are neutral with score 1.0 and no
  language, without running the model; emoji-only comments run the model (😡 and 👍 carry
  sentiment) but have no language;
- very long comments are cut to ``MAX_SCORED_CHARS`` before tokenizing (the backend then
  truncates to its token limit), so a 5,000-character comment costs what a long one does;
- the backend's labels are mapped onto negative/neutral/positive (``models/labels.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from models.labels import CONTRACT_LABELS, label_matrix
from models.language import detect_language

# Sentiment is decided in the first sentences; the contract caps comments at 1000 chars.
MAX_SCORED_CHARS = 1000
BUILD_COMMAND = "dost-feedback models build"


class SentimentModelError(RuntimeError):
    """The sentiment model cannot be loaded or run; the message says why and what to do."""


@dataclass(frozen=True)
class Sentiment:
    label: str  # negative | neutral | positive
    score: float  # the model's probability for that label, 0..1
    language: str | None  # az | ru | en | None

    def as_dict(self) -> dict:
        return {"label": self.label, "score": round(self.score, 4), "language": self.language}


class ClassifierBackend(Protocol):
    """Texts -> probabilities [len(texts), len(id2label)] over the backend's own labels."""

    id2label: dict[int, str]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray: ...


class SentimentModel:
    def __init__(self, backend: ClassifierBackend, name: str) -> None:
        self.backend = backend
        self.name = name  # what was loaded, e.g. "onnx-int8:/path" (for logs and the CLI)
        self._to_contract = label_matrix(backend.id2label)

    def predict(self, texts: Sequence[str]) -> list[Sentiment]:
        if isinstance(texts, str):
            raise TypeError("predict takes a list of texts, not one string")
        prepared = [text.strip()[:MAX_SCORED_CHARS] if isinstance(text, str) else None for text in texts]
        if any(text is None for text in prepared):
            raise TypeError("every comment must be a string")
        readable = [i for i, text in enumerate(prepared) if text]
        results: list[Sentiment] = [Sentiment("neutral", 1.0, None)] * len(prepared)
        if not readable:
            return results
        probabilities = self.backend.probabilities([prepared[i] for i in readable]) @ self._to_contract
        for row, index in enumerate(readable):
            best = int(np.argmax(probabilities[row]))
            results[index] = Sentiment(
                CONTRACT_LABELS[best], float(probabilities[row, best]), detect_language(prepared[index])
            )
        return results
