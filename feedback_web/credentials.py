"""Who may post to ``POST /api/v1/feedback``: every rating carries a credential.

- ``Authorization: Bearer dk_...``: a kiosk device token, for ``channel=kiosk`` at its
  own center (``feedback_web.devices``);
- ``Authorization: Bearer ck_...``: an integration's API client key, scoped to centers
  and channels (``dost-feedback clients add``).
- ``channel=sms`` and ``channel=qr`` are never posted here: SMS replies come through the
  signed webhook ``/sms/inbound``, QR ratings through their one-time link ``/r/{token}``.

Anything else is refused before the body is looked at further: 401 without a (known)
credential, 403 when it is valid but not for this center or channel. Each answer has a
``code`` and a ``detail`` that says what to send.
"""

from __future__ import annotations

import math
import threading
import time

from fastapi import Request
from fastapi.responses import JSONResponse

from dost_channels.clients import ClientCheck
from dost_channels.store import ChannelStore
from dost_channels.tokens import CLIENT_KEY_PREFIX, DEVICE_TOKEN_PREFIX, bearer_token
from dost_contract.events import Channel
from feedback_web.devices import authorize_kiosk, refuse
from feedback_web.rate_limit import TokenBucket

WHAT_TO_SEND = (
    "send Authorization: Bearer <credential>: a kiosk device token (dost-feedback devices add) for "
    "channel=kiosk, or an integration client key (dost-feedback clients add). SMS replies come only "
    "through the signed webhook /sms/inbound, QR ratings only through their one-time link /r/{token}."
)
CLIENT_ERRORS = {
    ClientCheck.UNKNOWN: (401, "client_unknown", "unknown client key"),
    ClientCheck.REVOKED: (401, "client_revoked", "this client key has been revoked"),
    ClientCheck.WRONG_CENTER: (403, "client_wrong_center", "this client key is not scoped to this center"),
    ClientCheck.WRONG_CHANNEL: (403, "client_wrong_channel", "this client key is not scoped to this channel"),
}
NOT_POSTED_HERE = {
    Channel.SMS: "channel=sms ratings come only through the signed SMS webhook /sms/inbound",
    Channel.QR: "channel=qr ratings come only through the ticket's one-time link /r/{token}",
}


# How long a web process trusts a client key it checked: a revoked key stops working
# within this (docs/channels.md). Saves a database read per rating from an integration.
CLIENT_CHECK_SECONDS = 5.0


class ClientChecks:
    """``ChannelStore.check_client`` with the allowed answers remembered a few seconds."""

    def __init__(self, store: ChannelStore, seconds: float = CLIENT_CHECK_SECONDS) -> None:
        self.store = store
        self.seconds = seconds
        self._allowed: dict[tuple[str, str, str], tuple[str, float]] = {}  # -> (client id, checked at)
        self._lock = threading.Lock()  # called on the database threads

    def allowed(self, key: str, center_id: str, channel: str) -> str | None:
        """The client id if this key was allowed for this center and channel in the last few seconds."""
        with self._lock:
            client_id, checked_at = self._allowed.get((key, center_id, channel), (None, 0.0))
        if client_id is not None and time.monotonic() - checked_at < self.seconds:
            return client_id
        return None

    def check(self, key: str, center_id: str, channel: str) -> tuple[ClientCheck, str | None]:
        asked = (key, center_id, channel)
        client_id = self.allowed(key, center_id, channel)
        if client_id is not None:
            return ClientCheck.OK, client_id
        check, client_id = self.store.check_client(key, center_id, channel)
        with self._lock:
            if check == ClientCheck.OK:
                if len(self._allowed) > 10_000:
                    self._allowed.clear()
                self._allowed[asked] = (client_id, time.monotonic())
            else:
                self._allowed.pop(asked, None)
        return check, client_id


class Refused(Exception):
    """Raised by a dependency to answer ``response`` before the body is validated."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def unauthorized(code: str, detail: str) -> JSONResponse:
    return refuse(401, code, f"{detail}; {WHAT_TO_SEND}", "unauthorized", headers={"WWW-Authenticate": "Bearer"})


async def require_credential(request: Request) -> None:
    """A dependency: FastAPI runs it before validating the body's fields, so an anonymous
    post is 401 whatever fields it holds (only a body that is not JSON at all is 422 first)."""
    if bearer_token(request.headers.get("authorization")) is None:
        raise Refused(unauthorized("credential_missing", "every rating needs a credential"))


def authorize_rating(store: ChannelStore, device_limiter: TokenBucket, client_limiter: TokenBucket,
                     authorization: str | None, center_id: str, channel: Channel,
                     clients: ClientChecks | None = None) -> tuple[JSONResponse | None, str | None]:
    """(None, who) if this credential may post this rating, else (the refusal, None).

    ``who`` names the credential for per-credential limits: ``device:<id>`` or ``client:<id>``.
    """
    token = bearer_token(authorization)
    if token is None:
        return unauthorized("credential_missing", "every rating needs a credential"), None
    if token.startswith(DEVICE_TOKEN_PREFIX):
        if channel != Channel.KIOSK:
            return refuse(403, "device_wrong_channel", "a kiosk device token posts channel=kiosk only",
                          "forbidden"), None
        refusal, device_id = authorize_kiosk(store, device_limiter, authorization, center_id)
        return refusal, (f"device:{device_id}" if refusal is None else None)
    if not token.startswith(CLIENT_KEY_PREFIX):
        return unauthorized("credential_unknown", "unknown credential"), None
    check_client = clients.check if clients is not None else store.check_client
    check, client_id = check_client(token, center_id, channel.value)
    if check == ClientCheck.WRONG_CHANNEL and channel in NOT_POSTED_HERE:
        return refuse(403, "channel_not_posted_here", NOT_POSTED_HERE[channel], "forbidden"), None
    if check != ClientCheck.OK:
        status, code, detail = CLIENT_ERRORS[check]
        if status == 401:
            return unauthorized(code, detail), None
        return refuse(status, code, detail, "forbidden"), None
    wait = client_limiter.acquire(f"client:{client_id}")
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        return refuse(429, "rate_limited", f"too many ratings from this client; retry in {seconds} s",
                      "rate_limited", headers={"Retry-After": str(seconds)}, retry_after_seconds=seconds), None
    return None, f"client:{client_id}"
