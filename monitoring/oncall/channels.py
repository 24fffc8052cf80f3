"""The on-call channels' I/O: the dev file, SMS through the citizen-SMS gateway, SMTP
e-mail and a generic webhook. Each ``send`` raises on failure; retrying is the
dispatcher's job (``monitoring.oncall.dispatch``). Message texts come from
``monitoring.oncall.messages``.
"""

from __future__ import annotations

import asyncio
import json
import smtplib
import ssl
from pathlib import Path

import httpx

from dost_channels.sms_gateway import SmsGateway, create_gateway
from dost_contract.settings import Settings
from monitoring.oncall import messages as oncall_messages
from monitoring.oncall.payload import WebhookPayload

SMS_PURPOSE = "oncall"


class ChannelError(RuntimeError):
    """A channel did not take the message; the text says which and why."""


class ChannelSenders:
    def __init__(self, settings: Settings, sms_gateway: SmsGateway | None = None) -> None:
        self.settings = settings
        self.dev_outbox: Path = settings.oncall_dev_outbox_path
        self._sms_gateway = sms_gateway
        self._http = httpx.AsyncClient(timeout=settings.oncall_send_timeout_seconds)
        self._dev_lock = asyncio.Lock()

    @property
    def sms_gateway(self) -> SmsGateway:
        if self._sms_gateway is None:  # created on first use: a bad SMS setting fails that delivery, loudly
            self._sms_gateway = create_gateway(self.settings)
        return self._sms_gateway

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, channel_name: str, channel: dict, payload: WebhookPayload, raw_payload: str,
                   delivery_id: int) -> None:
        kind = channel["type"]
        if kind == "dev":
            await self._send_dev(channel_name, payload, delivery_id)
        elif kind == "sms":
            text = oncall_messages.sms_text(payload)
            for phone in channel["to"]:
                await self.sms_gateway.send(phone, text, purpose=SMS_PURPOSE)
        elif kind == "email":
            message = oncall_messages.email_message(payload, self.settings.smtp_from, channel["to"])
            await asyncio.to_thread(self._send_smtp, message)
        elif kind == "webhook":
            await self._send_webhook(channel["url"], raw_payload)
        else:
            raise ChannelError(f"unknown channel type {kind!r}")

    async def _send_dev(self, channel_name: str, payload: WebhookPayload, delivery_id: int) -> None:
        line = json.dumps(oncall_messages.dev_record(payload, channel_name, delivery_id), ensure_ascii=False)
        async with self._dev_lock:
            self.dev_outbox.parent.mkdir(parents=True, exist_ok=True)
            with self.dev_outbox.open("a", encoding="utf-8") as out:
                out.write(line + "\n")

    def _send_smtp(self, message) -> None:
        s = self.settings
        timeout = s.oncall_send_timeout_seconds
        try:
            if s.smtp_security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.smtp_host, s.smtp_port, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=timeout)
            with client:
                if s.smtp_security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                    client.login(s.smtp_user, password)
                refused = client.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(f"SMTP {s.smtp_host}:{s.smtp_port}: {exc!r}") from exc
        if refused:
            raise ChannelError(f"SMTP {s.smtp_host}:{s.smtp_port} refused recipients {sorted(refused)}")

    async def _send_webhook(self, url: str, raw_payload: str) -> None:
        try:
            response = await self._http.post(url, content=raw_payload, headers={"content-type": "application/json"})
        except httpx.HTTPError as exc:
            raise ChannelError(f"webhook {url} unreachable: {exc!r}") from exc
        if not response.is_success:
            raise ChannelError(f"webhook {url} answered {response.status_code}")
