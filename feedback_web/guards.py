"""What every request passes before any route reads it (a pure ASGI middleware).

- A body limit (``DOST_MAX_REQUEST_BODY_BYTES``, 16 KB): a declared ``Content-Length``
  over it is answered 413 before a byte of the body is read; a chunked body is counted
  as it arrives and refused the moment it passes the limit. Nothing large is parsed.
- A per-IP limit on the public endpoints, ``/r/…`` and ``/sms/inbound``
  (``DOST_PUBLIC_RATE_LIMIT_*``, buckets in the shared store): 429 with ``Retry-After``.
"""

from __future__ import annotations

import json
import math

from dost_channels.db.offload import in_db_thread
from feedback_web import metrics
from feedback_web.rate_limit import TokenBucket

PUBLIC_PREFIXES = ("/r/", "/sms/inbound")


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


def declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def answer(send, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail, "code": code}).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class RequestGuards:
    def __init__(self, app, max_body_bytes: int, ip_limiter: TokenBucket) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.ip_limiter = ip_limiter

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if is_public(scope["path"]):
            host = (scope.get("client") or ("unknown", 0))[0]
            wait = await in_db_thread(self.ip_limiter.acquire, f"ip:{host}")
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                metrics.FEEDBACK_REJECTED_TOTAL.labels("rate_limited").inc()
                await answer(send, 429, "rate_limited", f"too many requests from this address; retry in {seconds} s",
                             {"Retry-After": str(seconds)})
                return
        length = declared_length(scope["headers"])
        too_large = f"the request body is over {self.max_body_bytes} bytes"
        if length is not None:
            if length > self.max_body_bytes:
                metrics.FEEDBACK_REJECTED_TOTAL.labels("too_large").inc()
                await answer(send, 413, "body_too_large", too_large)
                return
            await self.app(scope, receive, send)  # the server holds the body to its declared length
            return
        # No length declared (chunked): take the body in, counting, before the app sees it.
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # a disconnect: let the app see it
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.max_body_bytes:
                metrics.FEEDBACK_REJECTED_TOTAL.labels("too_large").inc()
                await answer(send, 413, "body_too_large", too_large)
                return
        await self.app(scope, replay(b"".join(chunks), receive), send)


def replay(body: bytes, receive):
    """A ``receive`` that hands over ``body`` once, then the connection's own messages."""
    delivered = False

    async def receive_again():
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive_again
