"""Accuracy, macro-F1 and confusion matrices: pure, so the report's numbers are computed, not typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from models.comments import LABELS


@dataclass(frozen=True)
class Scores:
    count: int
    accuracy: float
    macro_f1: float
    f1: dict[str, float]  # per label
    # confusion[true][predicted] = count
    confusion: dict[str, dict[str, int]]
    # Of the comments whose true label is negative or positive, the share predicted with the
    # right polarity (a neutral prediction counts as wrong).
    polar_accuracy: float | None


def score(true: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS) -> Scores:
    if len(true) != len(predicted):
        raise ValueError(f"{len(true)} true labels but {len(predicted)} predictions")
    if not true:
        raise ValueError("nothing to score")
    unknown = (set(true) | set(predicted)) - set(labels)
    if unknown:
        raise ValueError(f"unknown labels: {sorted(unknown)}")
    confusion = {t: {p: 0 for p in labels} for t in labels}
    for t, p in zip(true, predicted):
        confusion[t][p] += 1
    f1 = {}
    for label in labels:
        tp = confusion[label][label]
        fp = sum(confusion[t][label] for t in labels if t != label)
        fn = sum(confusion[label][p] for p in labels if p != label)
        f1[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    # Macro-F1 over the labels present in the truth, so a subset without neutrals is not penalised.
    present = [label for label in labels if any(t == label for t in true)]
    polar = [(t, p) for t, p in zip(true, predicted) if t in ("negative", "positive")]
    return Scores(
        count=len(true),
        accuracy=sum(t == p for t, p in zip(true, predicted)) / len(true),
        macro_f1=sum(f1[label] for label in present) / len(present),
        f1=f1,
        confusion=confusion,
        polar_accuracy=sum(t == p for t, p in polar) / len(polar) if polar else None,
    )


def confusion_table(scores: Scores, labels: Sequence[str] = LABELS) -> str:
    """The confusion matrix as a Markdown table: rows are the true labels."""
    lines = ["| true \\ predicted | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    for t in labels:
        lines.append(f"| {t} | " + " | ".join(str(scores.confusion[t][p]) for p in labels) + " |")
    return "\n".join(lines)
