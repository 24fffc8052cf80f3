"""Retention: how long personal and operational records are kept (docs/operations.md#retention)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RetentionSettings(BaseModel):
    # SMS invitations (each carries the citizen's phone hash) are deleted this long after
    # they were created: long enough for quarterly complaints about a visit, no longer.
    retention_invitations_days: float = Field(90.0, gt=0)
    # QR tokens are deleted this long after they expired (used or not).
    retention_qr_tokens_days: float = Field(7.0, gt=0)
    # The on-call outbox (notifications and their finished deliveries), the receiver's alert
    # journal and the dev SMS outbox file are trimmed to this many days.
    retention_outbox_days: float = Field(30.0, gt=0)
    # `dost-feedback retention run --every` (the compose `retention` service) runs this often.
    retention_interval_seconds: float = Field(3600.0, gt=0)
