"""The sentiment model: ``sentiment TEXT...``, ``models build`` and ``models report``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from dost_contract.settings import get_settings
from dost_feedback.cli.common import fail

models_app = typer.Typer(help="The sentiment model: build, report.", no_args_is_help=True)


def sentiment(texts: List[str] = typer.Argument(..., help="Comments to score.")) -> None:
    """Print one JSON line per comment: {"label", "score", "language"}."""
    from models.loading import load_sentiment_model
    from models.sentiment import SentimentModelError

    try:
        model = load_sentiment_model(get_settings())
        results = model.predict(texts)
    except SentimentModelError as exc:
        fail(str(exc))
    for result in results:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))


def _local_model_dir(out: Optional[str]) -> Path:
    from models.loading import is_local_path

    source = out or get_settings().sentiment_model
    if not is_local_path(source) and out is None:
        fail(f"DOST_SENTIMENT_MODEL={source!r} is not a local directory; pass --out DIR")
    return Path(source).expanduser().resolve()


@models_app.command("build")
def models_build(
    out: Optional[str] = typer.Option(None, help="Model directory (default: DOST_SENTIMENT_MODEL)."),
    force: bool = typer.Option(False, help="Rebuild even if the model is up to date."),
    onnx: bool = typer.Option(True, help="Also export ONNX and its int8 quantization."),
) -> None:
    """Build the offline default sentiment model (cached: skipped when its inputs are unchanged)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from models.build import build_model
    from models.e5_encoder import EncoderAssetError

    out_dir = _local_model_dir(out)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), transient=False) as progress:
        tasks: dict[str, int] = {}

        def stage(description: str, done: int, total: int) -> None:
            if description not in tasks:
                tasks[description] = progress.add_task(description, total=total)
            progress.update(tasks[description], completed=done, total=total)

        try:
            info = build_model(out_dir, with_onnx=onnx, force=force, stage=stage)
        except EncoderAssetError as exc:
            fail(str(exc))
    if info["up_to_date"]:
        typer.echo(f"sentiment model up to date: {out_dir}")
        return
    typer.echo(f"sentiment model built in {out_dir} ({info['timings']})")
    _echo_eval_summary(out_dir)


def _echo_eval_summary(model_dir: Path) -> None:
    from models.build import EVAL_FILE

    evaluation = json.loads((model_dir / EVAL_FILE).read_text())
    for runtime, result in evaluation["runtimes"].items():
        per_language = ", ".join(
            f"{lang} macro-F1 {s['macro_f1']:.3f}" for lang, s in result["languages"].items()
        )
        typer.echo(f"  {runtime}: {per_language}; pos-vs-neg accuracy {result['all']['pos_vs_neg_accuracy']:.3f}")


@models_app.command("report")
def models_report(
    model: Optional[str] = typer.Option(None, help="Built model directory (default: DOST_SENTIMENT_MODEL)."),
    write: Optional[str] = typer.Option(None, help="Replace the generated section of this Markdown file."),
) -> None:
    """Render the eval report of a built model (docs/sentiment.md's generated section)."""
    from models.build import BUILD_INFO, EVAL_FILE
    from models.report import render_report, replace_section

    model_dir = _local_model_dir(model)
    try:
        evaluation = json.loads((model_dir / EVAL_FILE).read_text())
        info = json.loads((model_dir / BUILD_INFO).read_text())
    except OSError as exc:
        fail(f"{exc}; build the model first with `dost-feedback models build`")
    section = render_report(evaluation, info)
    if write is None:
        typer.echo(section)
        return
    target = Path(write)
    try:
        target.write_text(replace_section(target.read_text(), section))
    except (OSError, ValueError) as exc:
        fail(f"{target}: {exc}")
    typer.echo(f"wrote the eval report into {target}")
