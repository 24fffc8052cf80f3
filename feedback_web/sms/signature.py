"""Signing and verifying SMS-gateway webhook calls, Twilio-style.

The gateway computes HMAC-SHA256 with the shared secret over the full webhook URL
followed by every form parameter, sorted by name, as name+value with no separators;
it sends the result base64-encoded in ``X-Dost-Signature``. Sorting makes the
signature independent of the order the gateway serialises the form in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Iterable

SIGNATURE_HEADER = "X-Dost-Signature"


def signed_payload(url: str, params: Iterable[tuple[str, str]]) -> bytes:
    # Sorted by name then value, so repeated names are deterministic too.
    return (url + "".join(name + value for name, value in sorted(params))).encode()


def compute_signature(secret: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    digest = hmac.new(secret.encode(), signed_payload(url, params), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_signature(secret: str, url: str, params: Iterable[tuple[str, str]], signature: str | None) -> bool:
    if not signature:
        return False
    expected = compute_signature(secret, url, params)
    return hmac.compare_digest(expected.encode(), signature.strip().encode())
