"""The built default model (scripts/setup.sh builds it), shared by the model tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dost_contract.settings import Settings
from models.loading import load_sentiment_model
from models.sentiment import SentimentModel


@pytest.fixture(scope="session")
def model_dir() -> Path:
    path = Path(Settings().sentiment_model)
    assert (path / "build-info.json").is_file(), f"no built model at {path}: run scripts/setup.sh"
    return path


@pytest.fixture(scope="session")
def onnx_model(model_dir) -> SentimentModel:
    return load_sentiment_model(Settings(sentiment_model=str(model_dir), sentiment_runtime="onnx"))


@pytest.fixture(scope="session")
def torch_model(model_dir) -> SentimentModel:
    return load_sentiment_model(Settings(sentiment_model=str(model_dir), sentiment_runtime="transformers"))
