"""Kiosk device authorisation for ``channel=kiosk``: token, center binding, rate limit.

Answers for the tablet's script carry a ``code`` it translates for the citizen:
401 ``credential_missing`` (``feedback_web.credentials``) / ``device_unknown`` / ``device_revoked``,
403 ``device_wrong_center``, 429 ``rate_limited`` (with Retry-After).
"""

from __future__ import annotations

import math

from fastapi.responses import JSONResponse

from dost_channels.store import ChannelStore, DeviceCheck
from dost_channels.tokens import bearer_token
from feedback_web import metrics
from feedback_web.bursts import BurstRules, suspect_reason
from feedback_web.rate_limit import TokenBucket

DEVICE_ERRORS = {
    DeviceCheck.UNKNOWN: (401, "device_unknown", "unknown device token"),
    DeviceCheck.REVOKED: (401, "device_revoked", "this device token has been revoked"),
    DeviceCheck.WRONG_CENTER: (403, "device_wrong_center", "this device token belongs to another center"),
}


def refuse(status: int, code: str, detail: str, reason: str, headers: dict | None = None,
           **extra: object) -> JSONResponse:
    metrics.FEEDBACK_REJECTED_TOTAL.labels(reason).inc()
    return JSONResponse(status_code=status, content={"detail": detail, "code": code, **extra}, headers=headers)


def authorize_kiosk(store: ChannelStore, limiter: TokenBucket, authorization: str | None,
                    center_id: str) -> tuple[JSONResponse | None, str | None]:
    """(None, device_id) if this kiosk may submit now for ``center_id``; else (the refusal, None)."""
    token = bearer_token(authorization)
    if token is None:
        return refuse(401, "device_token_missing",
                      "kiosk submissions need a device token (Authorization: Bearer ...)", "unauthorized",
                      headers={"WWW-Authenticate": "Bearer"}), None
    check, device_id = store.check_device(token, center_id)
    if check != DeviceCheck.OK:
        status, code, detail = DEVICE_ERRORS[check]
        return refuse(status, code, detail, "unauthorized" if status == 401 else "forbidden",
                      headers={"WWW-Authenticate": "Bearer"} if status == 401 else None), None
    wait = limiter.acquire(f"device:{device_id}")
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        return refuse(429, "rate_limited", f"too many ratings from this device; retry in {seconds} s",
                      "rate_limited", headers={"Retry-After": str(seconds)}, retry_after_seconds=seconds), None
    return None, device_id


def judge_press(store: ChannelStore, rules: BurstRules, feedback_id: str, device_id: str, center_id: str,
                rating: int, submitted_at: float, received_at: float) -> str | None:
    """Record this tablet press and say why it is beyond a plausible flow (None: count it).

    A retry of the same feedback_id gets its first verdict, so the event is the same and
    the worker sees a duplicate. A press is placed at the tablet's own time (an offline
    queue flushed at once keeps its spacing), but never earlier than the burst window: an
    old timestamp must not hide a press from the window the rules count.
    """
    judged, reason = store.press_verdict(feedback_id)
    if judged:
        return reason
    pressed_at = min(received_at, max(submitted_at, received_at - rules.window_seconds))
    history = store.press_history(device_id, center_id, pressed_at, rules.window_seconds, rules.visits_lead_seconds)
    new, reason = store.record_press(feedback_id, device_id, pressed_at, rating,
                                     suspect_reason(history, rating, pressed_at, rules))
    if new and reason is not None:
        metrics.KIOSK_SUSPECT_RATINGS_TOTAL.labels(center_id, device_id, reason).inc()
    return reason
