from pathlib import Path

import pytest

from models.comments import (
    LABELS,
    LANGUAGES,
    DatasetError,
    ascii_folded,
    augment,
    by_language,
    load_challenge,
    load_split,
    read_comments,
)


def test_eval_set_is_big_enough_in_every_language_and_class():
    groups = by_language(load_split("eval"))
    assert sum(len(g) for g in groups.values()) >= 150
    for language in LANGUAGES:
        assert len(groups[language]) >= 50
        assert {c.label for c in groups[language]} == set(LABELS)


def test_eval_and_challenge_comments_never_appear_in_training():
    train = {c.text.lower() for c in load_split("train")}
    held_out = load_split("eval") + load_challenge()
    assert not [c.text for c in held_out if c.text.lower() in train]


def test_augmentation_is_deterministic_and_keeps_labels():
    train = load_split("train")
    first, second = augment(train, seed=7, pairs_per_label=5), augment(train, seed=7, pairs_per_label=5)
    assert first == second
    assert len(first) > len(train)
    assert augment(train, seed=8, pairs_per_label=5) != first
    assert {c.label for c in first} == set(LABELS)


def test_ascii_folding_of_azerbaijani():
    assert ascii_folded("Çox sağ olun, İşçilər əla") == "Cox sag olun, Isciler ela"


@pytest.mark.parametrize("line, message", [
    ("happy | great", "label 'happy'"),
    ("no separator here", "expected 'label | comment'"),
    ("positive | ", "expected 'label | comment'"),
])
def test_malformed_lines_name_the_file_and_line(tmp_path: Path, line, message):
    path = tmp_path / "en.txt"
    path.write_text(f"# header\npositive | fine\n{line}\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=f"en.txt:3: {message}"):
        read_comments(path, "en")
