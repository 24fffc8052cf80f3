"""The feedback web: where it listens and how long it waits for the broker."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

# Signs the managers' session and CSRF cookies (feedback_web/manage); the prod profile refuses it.
DEV_SESSION_SECRET = "dev-only-session-secret"


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
    # The managers' pages (/manage): the HMAC key of their session cookies, how long a
    # sign-in lasts, and how long the one-time set-password link of `users add` is valid.
    session_secret: SecretStr = SecretStr(DEV_SESSION_SECRET)
    session_hours: float = Field(12.0, gt=0)
    # Sessions travel only over HTTPS when true (set it behind TLS; the local stack is plain HTTP).
    session_cookie_secure: bool = False
    password_link_hours: float = Field(72.0, gt=0)
