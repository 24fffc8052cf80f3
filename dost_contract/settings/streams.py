"""The rating worker: its Faust app, batching, lateness and de-duplication."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, model_validator

# The longest rolling window (streams.scoring.WINDOW_SECONDS["30d"]; the floor cannot import it).
LONGEST_WINDOW_SECONDS = 30 * 24 * 3600


class StreamSettings(BaseModel):
    faust_app_id: str = "dost-feedback"
    worker_metrics_host: str = "127.0.0.1"
    worker_metrics_port: int = 9101
    worker_data_dir: Path | None = None  # Faust's local state dir; default under state_dir
    # Short session timeouts make group joins take seconds instead of tens of seconds.
    broker_session_timeout_seconds: float = 6.0
    broker_heartbeat_interval_seconds: float = 1.0
    metrics_refresh_seconds: float = Field(1.0, gt=0)
    # Most time one refresh may spend recomputing windows; centers it does not reach
    # are recomputed on the next tick, so the event loop never stalls on thousands.
    refresh_budget_seconds: float = Field(0.1, gt=0)
    # The rating agent takes up to this many events, or what arrives within the
    # seconds below, and writes each touched center-day to its changelog once: bigger
    # batches mean fewer center-day writes per rating (docs/benchmarks.md).
    rating_batch_size: int = Field(5000, ge=1)
    rating_batch_seconds: float = Field(1.0, gt=0)
    # Ratings whose submitted_at is further before received_at go to the dead letters.
    allowed_lateness_seconds: int = Field(72 * 3600, gt=0)
    # The de-duplication horizon: a feedback_id is remembered this long after it was
    # received (by the partition's received_at), so it is counted once, ever, as long as
    # it could still touch a window: longer than the 30d window plus the lateness.
    dedup_ttl_seconds: int = Field(35 * 24 * 3600, gt=0)
    prune_interval_seconds: float = Field(60.0, gt=0)

    @model_validator(mode="after")
    def _dedup_outlives_lateness(self) -> "StreamSettings":
        if self.dedup_ttl_seconds <= LONGEST_WINDOW_SECONDS + self.allowed_lateness_seconds:
            raise ValueError(
                "DOST_DEDUP_TTL_SECONDS must be longer than the 30d window plus DOST_ALLOWED_LATENESS_SECONDS "
                f"({LONGEST_WINDOW_SECONDS + self.allowed_lateness_seconds} s), "
                "or a re-sent feedback_id could be counted twice"
            )
        return self
