"""Sending SMS through a pluggable gateway, chosen by ``DOST_SMS_GATEWAY``.

- ``log`` (development): logs each message with the phone masked and appends it to
  ``DOST_SMS_OUTBOX_FILE`` (JSON lines, phone as its keyed hash), so a developer or a
  test sees exactly what a citizen would have received.
- ``http``: POSTs ``{"to": "+994...", "text": "...", "id": ...}`` to ``DOST_SMS_GATEWAY_URL``
  with ``Authorization: Bearer DOST_SMS_GATEWAY_TOKEN``; any non-2xx answer is an error.

A message with a ``message_id`` (an invitation: its visit id) is sent with it as the
idempotency key (``Idempotency-Key`` header for ``http``): the invitation outbox may
hand the same message over again after a crash, and the gateway delivers it once. The
``log`` gateway honours the key itself: it never appends a second line for one id.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
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
    async def send(self, to: str, text: str, purpose: str, message_id: str | None = None) -> None:
        """Send ``text`` to the phone ``to`` (E.164). ``purpose`` names the message kind for logs;
        ``message_id``, when given, is the idempotency key: the same id is delivered once."""


def sent_message_ids(outbox: Path) -> set[str]:
    """The ids already in a dev outbox file (a torn last line is ignored)."""
    ids = set()
    if outbox.exists():
        for line in outbox.read_text(encoding="utf-8").splitlines():
            try:
                message_id = json.loads(line).get("message_id")
            except json.JSONDecodeError:
                continue
            if message_id:
                ids.add(message_id)
    return ids


class LogGateway:
    def __init__(self, outbox: Path, phone_hash_secret: str) -> None:
        self.outbox = outbox
        self._secret = phone_hash_secret
        self._lock = asyncio.Lock()
        self._sent_ids: set[str] | None = None  # read from the file on first use

    async def send(self, to: str, text: str, purpose: str, message_id: str | None = None) -> None:
        record = {"at": time.time(), "to_hash": phone_hash(self._secret, to), "to_masked": mask_phone(to),
                  "purpose": purpose, "text": text, "message_id": message_id}
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        async with self._lock:
            self.outbox.parent.mkdir(parents=True, exist_ok=True)
            if message_id is not None:
                if self._sent_ids is None:
                    self._sent_ids = sent_message_ids(self.outbox)
                if message_id in self._sent_ids:
                    log.info("SMS (%s) %s already delivered; not sent again", purpose, message_id)
                    return
            # One write(2) on an O_APPEND file: a killed process leaves the whole line or none.
            fd = os.open(self.outbox, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
            if message_id is not None:
                self._sent_ids.add(message_id)
        log.info("SMS (%s) to %s: %s", purpose, mask_phone(to), text)


class HttpGateway:
    def __init__(self, url: str, token: str | None, timeout: float = 10.0) -> None:
        self.url = url
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.AsyncClient(timeout=timeout, headers=headers)

    async def send(self, to: str, text: str, purpose: str, message_id: str | None = None) -> None:
        body = {"to": to, "text": text} | ({"id": message_id} if message_id else {})
        headers = {"Idempotency-Key": message_id} if message_id else {}
        try:
            response = await self._client.post(self.url, json=body, headers=headers)
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
