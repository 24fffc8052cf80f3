"""The SMS-invitation agent: one invitation SMS per finished visit, in the citizen's language.

It consumes ``visits.completed`` and, for each visit:
- skips a phone that opted out (STOP/DAYAN/СТОП), and a visit that was already handled
  (a redelivered event never sends a second SMS once the first was sent);
- records the open invitation in the channel store (so the web can match the reply),
  valid for ``DOST_SMS_INVITATION_VALID_HOURS``;
- decrypts the phone in memory and hands the message to the configured gateway.

Registered on the worker's Faust app by ``register_sms_invitations``.
"""

from __future__ import annotations

import asyncio
import logging
import time

import faust
from prometheus_client import Counter
from pydantic import ValidationError

from dost_channels import i18n
from dost_channels.sms_gateway import SmsGateway, SmsSendError, create_gateway
from dost_channels.store import ChannelStore
from dost_contract import metric_names, topics
from dost_contract.centers import CenterRegistry
from dost_contract.phones import InvalidPhone, decrypt_phone
from dost_contract.settings import Settings
from dost_contract.visits import VisitCompleted

log = logging.getLogger(__name__)

INVITATIONS_TOTAL = Counter(
    metric_names.SMS_INVITATIONS_TOTAL,
    "visits.completed events handled by the SMS-invitation agent, by outcome "
    "(sent, opted_out, duplicate, invalid, send_failed).",
    ["outcome"],
)
SEND_ATTEMPTS = 3


async def invite(raw: bytes, *, settings: Settings, registry: CenterRegistry, store: ChannelStore,
                 gateway: SmsGateway, retry_delay: float = 1.0) -> str:
    """Handle one visits.completed record; returns the outcome (also counted in the metric)."""
    try:
        visit = VisitCompleted.model_validate_json(raw)
    except (ValidationError, ValueError) as exc:
        log.warning("invalid visits.completed record skipped: %s", str(exc).splitlines()[0])
        return "invalid"
    center = registry.get(visit.center_id)
    if center is None:
        log.warning("visits.completed for unknown center %r skipped", visit.center_id)
        return "invalid"
    if store.is_opted_out(visit.phone_hash):
        return "opted_out"
    existing = store.invitation(visit.visit_id)
    if existing is not None and existing.sent_at is not None:
        return "duplicate"
    if existing is None:
        store.record_invitation(
            visit.visit_id, visit.phone_hash, visit.center_id,
            visit.service_group.value if visit.service_group else None,
            visit.language, settings.sms_invitation_valid_hours * 3600,
        )
    try:
        phone = decrypt_phone(settings.phone_encryption_key.get_secret_value(), visit.phone_encrypted)
    except InvalidPhone as exc:
        log.warning("visit %s: %s", visit.visit_id, exc)
        return "invalid"
    center_name = center.name.en if visit.language == "en" else center.name.az
    text = i18n.text("sms_invitation", visit.language, center=center_name)
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            await gateway.send(phone, text, purpose="invitation")
            break
        except SmsSendError as exc:
            log.warning("visit %s: invitation attempt %d failed: %s", visit.visit_id, attempt, exc)
            if attempt == SEND_ATTEMPTS:
                return "send_failed"
            await asyncio.sleep(retry_delay * attempt)
    store.mark_invitation_sent(visit.visit_id, time.time())
    return "sent"


def register_sms_invitations(app: faust.App, settings: Settings, registry: CenterRegistry) -> None:
    """Add the agent to the worker's app. The store and gateway open with the app."""
    visits_topic = app.topic(
        topics.VISITS_COMPLETED, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )
    store = ChannelStore(settings.channels_db_path)
    gateway = create_gateway(settings)
    settings.warn_if_insecure(log)

    @app.agent(visits_topic)
    async def send_sms_invitations(stream):
        async for raw in stream:
            outcome = await invite(raw, settings=settings, registry=registry, store=store, gateway=gateway)
            INVITATIONS_TOTAL.labels(outcome).inc()
