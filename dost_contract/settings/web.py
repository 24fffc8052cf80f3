"""The feedback web: where it listens and how long it waits for the broker."""

from __future__ import annotations

from pydantic import BaseModel, Field


class WebSettings(BaseModel):
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    publish_timeout_seconds: float = Field(5.0, gt=0)
    # One log line per request; at thousands of ratings a second it costs ~7% of the web's CPU.
    web_access_log: bool = True
    # A submission may carry a clock a little ahead of ours; further ahead is rejected.
    max_clock_skew_seconds: int = 300
    # A request body over this is refused with 413 before it is parsed (a rating is < 2 KB).
    max_request_body_bytes: int = Field(16384, ge=1024)
