"""Sentiment of comments: which model, how it runs, how the agent batches (models/, streams/sentiment/)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from dost_contract.settings.base import PROJECT_ROOT


class SentimentSettings(BaseModel):
    # A local model directory or a hub model id (any text-classification checkpoint).
    # The default is built offline by `dost-feedback models build` (scripts/setup.sh runs it).
    sentiment_model: str = str(PROJECT_ROOT / ".dost" / "models" / "sentiment")
    # auto: ONNX Runtime when the directory has onnx/<sentiment_onnx_file>, else transformers.
    sentiment_runtime: Literal["auto", "onnx", "transformers"] = "auto"
    sentiment_onnx_file: str = "model.int8.onnx"
    sentiment_max_tokens: int = Field(128, ge=8, le=512)
    sentiment_batch_size: int = Field(32, ge=1)  # comments per model call, and per stream.take()
    # How long the sentiment agent waits to fill a batch before scoring what it has.
    sentiment_batch_within_seconds: float = Field(0.5, gt=0)
    sentiment_threads: int = Field(0, ge=0)  # inference threads; 0: one per core
    sentiment_metrics_port: int = 9103  # the sentiment worker's /metrics, on worker_metrics_host
