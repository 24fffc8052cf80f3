"""Choosing and loading the sentiment model that ``DOST_SENTIMENT_MODEL`` names.

- A local directory built by ``dost-feedback models build`` has ``onnx/model.int8.onnx``:
  with ``DOST_SENTIMENT_RUNTIME=auto`` (the default) it is served by ONNX Runtime, int8.
- Any other directory, or a hub id such as ``org/xlm-roberta-sentiment``, goes through
  transformers (``DOST_SENTIMENT_RUNTIME=transformers`` forces that for ours too).
- A path that does not exist is an error that names the build command.
"""

from __future__ import annotations

from pathlib import Path

from dost_contract.settings import Settings
from models.sentiment import BUILD_COMMAND, SentimentModel, SentimentModelError


def is_local_path(source: str) -> bool:
    # "org/name" is a hub id; absolute, ./ ../ ~ paths and existing dirs are local.
    return source.startswith(("/", "./", "../", "~")) or Path(source).exists()


def load_sentiment_model(settings: Settings) -> SentimentModel:
    source = settings.sentiment_model
    runtime = settings.sentiment_runtime
    options = {"max_tokens": settings.sentiment_max_tokens, "batch_size": settings.sentiment_batch_size,
               "threads": settings.sentiment_threads}
    if is_local_path(source):
        model_dir = Path(source).expanduser()
        if not (model_dir / "config.json").is_file():
            raise SentimentModelError(
                f"no sentiment model at {model_dir}; build the offline default with `{BUILD_COMMAND}` "
                "(scripts/setup.sh runs it), or set DOST_SENTIMENT_MODEL to a model directory or hub id"
            )
        onnx_path = model_dir / "onnx" / settings.sentiment_onnx_file
        if runtime == "onnx" or (runtime == "auto" and onnx_path.is_file()):
            if not onnx_path.is_file():
                raise SentimentModelError(
                    f"{onnx_path} is missing; rebuild with `{BUILD_COMMAND}` or set DOST_SENTIMENT_RUNTIME=transformers"
                )
            from models.onnx_backend import OnnxBackend

            return SentimentModel(OnnxBackend(model_dir, settings.sentiment_onnx_file, **options),
                                  f"onnxruntime:{onnx_path}")
    elif runtime == "onnx":
        raise SentimentModelError(f"DOST_SENTIMENT_RUNTIME=onnx needs a local model directory, not {source!r}")
    from models.transformers_backend import TransformersBackend

    return SentimentModel(TransformersBackend(source, **options), f"transformers:{source}")
