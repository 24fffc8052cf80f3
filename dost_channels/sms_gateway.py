"""Sending SMS through a pluggable gateway, chosen by ``DOST_SMS_GATEWAY``.

- ``log`` (development): logs each message with the phone masked and appends it to
  ``DOST_SMS_OUTBOX_FILE`` (JSON lines, phone as its keyed hash), so a developer or a
  test sees exactly what a citizen would have received.
- ``http``: POSTs ``{"to": "+994...", "text": "..."}`` to ``DOST_SMS_GATEWAY_URL`` with
  ``Authorization: Bearer DOST_SMS_GATEWAY_TOKEN``; any non-2xx answer is an error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Protocol

import httpx

from dost_contract.phones import mask_phone, phone_hash
from dost_contract.settings import Settings

log = logging.getLogger(__name__)


class SmsSendError(RuntimeError):
    """The gateway did not take the message."""


class SmsGateway(Protocol):
    async def send(self, to: str, text: str, purpose: str) -> None:
        """Send ``text`` to the phone ``to`` (E.164). ``purpose`` names the message kind for logs."""


class LogGateway:
    def __init__(self, outbox: Path, phone_hash_secret: str) -> None:
        self.outbox = outbox
        self._secret = phone_hash_secret
        self._lock = asyncio.Lock()

    async def send(self, to: str, text: str, purpose: str) -> None:
        log.info("SMS (%s) to %s: %s", purpose, mask_phone(to), text)
        record = {"at": time.time(), "to_hash": phone_hash(self._secret, to), "to_masked": mask_phone(to),
                  "purpose": purpose, "text": text}
        async with self._lock:
            self.outbox.parent.mkdir(parents=True, exist_ok=True)
            with self.outbox.open("a", encoding="utf-8") as out:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")


class HttpGateway:
    def __init__(self, url: str, token: str | None, timeout: float = 10.0) -> None:
        self.url = url
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.AsyncClient(timeout=timeout, headers=headers)

    async def send(self, to: str, text: str, purpose: str) -> None:
        try:
            response = await self._client.post(self.url, json={"to": to, "text": text})
        except httpx.HTTPError as exc:
            raise SmsSendError(f"SMS gateway {self.url} unreachable: {exc!r}") from exc
        if not response.is_success:
            raise SmsSendError(f"SMS gateway {self.url} answered {response.status_code}")
        log.info("SMS (%s) to %s handed to %s", purpose, mask_phone(to), self.url)


def create_gateway(settings: Settings) -> SmsGateway:
    if settings.sms_gateway == "http":
        if not settings.sms_gateway_url:
            raise ValueError("DOST_SMS_GATEWAY=http needs DOST_SMS_GATEWAY_URL")
        token = settings.sms_gateway_token.get_secret_value() if settings.sms_gateway_token else None
        return HttpGateway(settings.sms_gateway_url, token)
    return LogGateway(settings.sms_outbox_path, settings.phone_hash_secret.get_secret_value())
