"""Bearer and one-time tokens: generated with ``secrets``, stored only as SHA-256 hashes.

The tokens carry 256 (device, API client) or 128 (QR) random bits, so a fast hash is enough: there
is nothing to brute-force, and a leaked database reveals no usable token.
"""

from __future__ import annotations

import hashlib
import secrets

DEVICE_TOKEN_PREFIX = "dk_"
CLIENT_KEY_PREFIX = "ck_"


def new_device_token() -> str:
    return DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_client_key() -> str:
    return CLIENT_KEY_PREFIX + secrets.token_urlsafe(32)


def new_qr_token() -> str:
    return secrets.token_urlsafe(16)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
