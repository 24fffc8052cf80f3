"""The SMS gateway's webhook signature schemes, chosen by ``DOST_SMS_SIGNATURE_SCHEME``.

Both sign the webhook URL as configured at the gateway (``DOST_SMS_WEBHOOK_URL``) and the
form parameters sorted by name, as name+value with no separators, with the secret
``DOST_SMS_SIGNATURE_SECRET``; sorting makes the signature independent of the order the
gateway serialises the form in.

- ``twilio``: Twilio's own scheme. ``X-Twilio-Signature`` is base64 HMAC-SHA1 over
  URL + sorted params, keyed with the account's auth token. ``MessageSid`` is the
  message id. Twilio signs no time, so a replay is stopped by the message id alone.
- ``dost``: base64 HMAC-SHA256 in ``X-Dost-Signature`` over the unix time of
  ``X-Dost-Timestamp``, a newline, then URL + sorted params. A timestamp older (or
  further ahead) than ``DOST_SMS_SIGNATURE_MAX_AGE_SECONDS`` is refused. The message id
  is the ``MessageId`` field, or else a hash of the signed content, which the bounded
  age makes unique enough.

Pure functions and small named objects; ``feedback_web.sms.inbound`` applies them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Iterable, Mapping

DOST_SIGNATURE_HEADER = "X-Dost-Signature"
DOST_TIMESTAMP_HEADER = "X-Dost-Timestamp"
TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"
SIGNATURE_HEADER = DOST_SIGNATURE_HEADER  # the default scheme's header


def signed_payload(url: str, params: Iterable[tuple[str, str]]) -> bytes:
    # Sorted by name then value, so repeated names are deterministic too.
    return (url + "".join(name + value for name, value in sorted(params))).encode()


def compute_signature(secret: str, url: str, params: Iterable[tuple[str, str]], timestamp: int | str) -> str:
    """The ``dost`` scheme's signature of a call made at unix time ``timestamp``."""
    payload = f"{timestamp}\n".encode() + signed_payload(url, params)
    return base64.b64encode(hmac.new(secret.encode(), payload, hashlib.sha256).digest()).decode()


def compute_twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio's ``X-Twilio-Signature`` (what ``twilio.request_validator.RequestValidator`` computes)."""
    digest = hmac.new(auth_token.encode(), signed_payload(url, params), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _same(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), given.strip().encode())


@dataclass(frozen=True)
class Verdict:
    """A checked call: ``message_id`` when it is genuine, else ``problem`` says why not."""

    message_id: str | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class DostScheme:
    secret: str
    max_age_seconds: float
    name: str = "dost"
    header: str = DOST_SIGNATURE_HEADER

    def verify(self, url: str, params: list[tuple[str, str]], headers: Mapping[str, str], now: float) -> Verdict:
        signature, timestamp = headers.get(DOST_SIGNATURE_HEADER), headers.get(DOST_TIMESTAMP_HEADER)
        if not signature or not timestamp:
            return Verdict(problem=f"missing {DOST_SIGNATURE_HEADER} or {DOST_TIMESTAMP_HEADER}")
        try:
            signed_at = int(timestamp.strip())
        except ValueError:
            return Verdict(problem=f"{DOST_TIMESTAMP_HEADER} is not a unix time in seconds")
        if not _same(compute_signature(self.secret, url, params, signed_at), signature):
            return Verdict(problem=f"invalid {DOST_SIGNATURE_HEADER}")
        if abs(now - signed_at) > self.max_age_seconds:
            return Verdict(problem=f"{DOST_TIMESTAMP_HEADER} is more than {self.max_age_seconds:g} s from now")
        message_id = dict(params).get("MessageId") or hashlib.sha256(
            f"{signed_at}\n".encode() + signed_payload(url, params)).hexdigest()
        return Verdict(message_id=f"dost:{message_id}")


@dataclass(frozen=True)
class TwilioScheme:
    auth_token: str
    name: str = "twilio"
    header: str = TWILIO_SIGNATURE_HEADER

    def verify(self, url: str, params: list[tuple[str, str]], headers: Mapping[str, str], now: float) -> Verdict:
        if not _same(compute_twilio_signature(self.auth_token, url, params), headers.get(TWILIO_SIGNATURE_HEADER)):
            return Verdict(problem=f"missing or invalid {TWILIO_SIGNATURE_HEADER}")
        message_sid = dict(params).get("MessageSid")
        if not message_sid:
            return Verdict(problem="a signed Twilio call without MessageSid")
        return Verdict(message_id=f"twilio:{message_sid}")


SignatureScheme = DostScheme | TwilioScheme


def signature_scheme(name: str, secret: str, max_age_seconds: float) -> SignatureScheme:
    if name == "twilio":
        return TwilioScheme(secret)
    if name == "dost":
        return DostScheme(secret, max_age_seconds)
    raise ValueError(f"unknown DOST_SMS_SIGNATURE_SCHEME {name!r}; choose dost or twilio")
