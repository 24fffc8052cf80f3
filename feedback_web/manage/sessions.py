"""Signed session cookies and CSRF tokens for ``/manage`` (standard-library HMAC-SHA256).

- **Session** (cookie ``manage_session``, HttpOnly, SameSite=Lax, Path=/): ``user_id.stamp.expires.mac``.
  ``stamp`` is the user's password stamp: setting a new password ends every older session.
  The MAC is HMAC-SHA256 under ``DOST_SESSION_SECRET``; the server stores nothing.
- **CSRF** (double submit, signed): cookie ``manage_csrf`` holds a random nonce; every form
  carries ``csrf = HMAC(secret, "csrf:" + nonce)``. A POST whose form token does not match
  its cookie is refused (403). Another site can neither read the cookie nor forge the
  token, and the sign-in form is covered as well as the forms behind it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

SESSION_COOKIE = "manage_session"
CSRF_COOKIE = "manage_csrf"


@dataclass(frozen=True)
class Session:
    user_id: str
    password_stamp: str
    expires_at: int


class SessionSigner:
    def __init__(self, secret: str, session_seconds: float) -> None:
        if not secret:
            raise ValueError("DOST_SESSION_SECRET is empty")
        self._key = hashlib.sha256(("dost-manage:" + secret).encode()).digest()
        self.session_seconds = session_seconds

    def _mac(self, message: str) -> str:
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()

    # --- Sessions ----------------------------------------------------------------------

    def sign(self, user_id: str, password_stamp: str, now: float | None = None) -> str:
        expires = int((time.time() if now is None else now) + self.session_seconds)
        body = f"{user_id}.{password_stamp}.{expires}"
        return f"{body}.{self._mac('session:' + body)}"

    def verify(self, cookie: str | None, now: float | None = None) -> Session | None:
        """The session a cookie carries, or None if it is missing, forged, malformed or expired."""
        if not cookie or cookie.count(".") != 3:
            return None
        user_id, stamp, expires, mac = cookie.split(".")
        if not hmac.compare_digest(mac, self._mac(f"session:{user_id}.{stamp}.{expires}")):
            return None
        if not expires.isdigit() or int(expires) <= (time.time() if now is None else now):
            return None
        return Session(user_id, stamp, int(expires))

    # --- CSRF --------------------------------------------------------------------------

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(24)

    def csrf_token(self, nonce: str) -> str:
        return self._mac("csrf:" + nonce)

    def csrf_ok(self, nonce: str | None, token: str | None) -> bool:
        """True if the form's token was made for this browser's CSRF cookie."""
        if not nonce or not token:
            return False
        return hmac.compare_digest(token, self.csrf_token(nonce))
