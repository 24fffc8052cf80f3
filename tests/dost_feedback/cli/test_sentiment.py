"""``dost-feedback sentiment`` and ``dost-feedback models ...`` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dost_feedback", *args], capture_output=True, text=True,
                          timeout=180, env={**os.environ, **env})


def test_sentiment_prints_one_contract_json_line_per_comment():
    result = run_cli("sentiment", "Çox sağ olun, hər şey əla idi!", "Ужасная очередь, ждал три часа.", "", "👍")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4
    assert all(set(line) == {"label", "score", "language"} and 0 <= line["score"] <= 1 for line in lines)
    assert (lines[0]["label"], lines[0]["language"]) == ("positive", "az")
    assert (lines[1]["label"], lines[1]["language"]) == ("negative", "ru")
    assert lines[2] == {"label": "neutral", "score": 1.0, "language": None}
    assert lines[3]["language"] is None


def test_sentiment_without_a_model_says_how_to_build_one(tmp_path):
    result = run_cli("sentiment", "hello", DOST_SENTIMENT_MODEL=str(tmp_path / "missing"))
    assert result.returncode == 1
    assert "dost-feedback models build" in result.stderr


def test_models_build_is_a_no_op_when_up_to_date():
    result = run_cli("models", "build")
    assert result.returncode == 0, result.stderr
    assert "sentiment model up to date" in result.stdout


def test_models_report_renders_from_the_built_eval(tmp_path):
    from models.report import BEGIN, END

    doc = tmp_path / "sentiment.md"
    doc.write_text(f"# Sentiment\n\n{BEGIN}\nstale\n{END}\n\nmore prose\n")
    result = run_cli("models", "report", "--write", str(doc))
    assert result.returncode == 0, result.stderr
    text = doc.read_text()
    assert "stale" not in text and "| Azerbaijani |" in text and text.endswith("more prose\n")
