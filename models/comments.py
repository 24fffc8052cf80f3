"""The project's own labelled service comments (az/ru/en), and the training-set augmentations.

Files under ``models/data/``:
- ``train/<lang>.txt`` and ``eval/<lang>.txt``: one ``label | comment`` per line;
- ``challenge/all.txt``: ``language | label | comment``: sarcasm, mixed comments and
  Azerbaijani typed without its letters, reported apart as known weak spots.
Lines starting with ``#`` are comments. The eval set is never used for training.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from models.labels import CONTRACT_LABELS as LABELS

LANGUAGES = ("az", "ru", "en")
DATA_DIR = Path(__file__).resolve().parent / "data"


class DatasetError(ValueError):
    """A data file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class LabelledComment:
    text: str
    label: str
    language: str


def _parse_line(path: Path, number: int, line: str, language: str | None) -> LabelledComment:
    fields = [field.strip() for field in line.split(" | ", 2 if language is None else 1)]
    if language is None:
        if len(fields) != 3:
            raise DatasetError(f"{path}:{number}: expected 'language | label | comment'")
        language, label, text = fields
    else:
        if len(fields) != 2:
            raise DatasetError(f"{path}:{number}: expected 'label | comment'")
        label, text = fields
    if label not in LABELS:
        raise DatasetError(f"{path}:{number}: label {label!r} is not one of {', '.join(LABELS)}")
    if language not in LANGUAGES:
        raise DatasetError(f"{path}:{number}: language {language!r} is not one of {', '.join(LANGUAGES)}")
    if not text:
        raise DatasetError(f"{path}:{number}: empty comment")
    return LabelledComment(text, label, language)


def read_comments(path: Path, language: str | None = None) -> list[LabelledComment]:
    """One file; ``language`` is given for per-language files and read from each line otherwise."""
    comments = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line and not line.startswith("#"):
            comments.append(_parse_line(path, number, line, language))
    return comments


def load_split(split: str, data_dir: Path = DATA_DIR) -> list[LabelledComment]:
    """``train`` or ``eval``: every language's file, in a fixed order."""
    return [c for lang in LANGUAGES for c in read_comments(data_dir / split / f"{lang}.txt", lang)]


def load_challenge(data_dir: Path = DATA_DIR) -> list[LabelledComment]:
    return read_comments(data_dir / "challenge" / "all.txt")


def data_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """Every file the build reads, for its cache fingerprint."""
    return sorted(p for p in data_dir.rglob("*.txt") if p.is_file())


# Azerbaijani letters that phones without an az keyboard replace (SMS, messengers).
_AZ_ASCII = str.maketrans("əƏıİşŞçÇğĞöÖüÜ", "eEiIsScCgGoOuU")


def ascii_folded(text: str) -> str:
    """Azerbaijani as typed without its letters: 'çox sağ olun' -> 'cox sag olun'."""
    return text.translate(_AZ_ASCII)


def augment(comments: Sequence[LabelledComment], seed: int, pairs_per_label: int) -> list[LabelledComment]:
    """The training set plus:
    - every Azerbaijani comment ASCII-folded (how many SMS arrive);
    - lower-cased copies, for comments typed without capitals;
    - pairs of same-label, same-language comments joined into one longer comment.
    Deterministic for a given seed.
    """
    rng = random.Random(seed)
    out = list(comments)
    out += [LabelledComment(ascii_folded(c.text), c.label, c.language) for c in comments
            if c.language == "az" and ascii_folded(c.text) != c.text]
    out += [LabelledComment(c.text.lower(), c.label, c.language) for c in comments if rng.random() < 0.3]
    for language in LANGUAGES:
        for label in LABELS:
            group = [c for c in comments if c.language == language and c.label == label]
            for _ in range(pairs_per_label if len(group) > 1 else 0):
                first, second = rng.sample(group, 2)
                out.append(LabelledComment(f"{first.text} {second.text}", label, language))
    return out


def by_language(comments: Iterable[LabelledComment]) -> dict[str, list[LabelledComment]]:
    groups: dict[str, list[LabelledComment]] = {lang: [] for lang in LANGUAGES}
    for comment in comments:
        groups[comment.language].append(comment)
    return groups
