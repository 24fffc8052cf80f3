"""The SMS-invitation agent: one invitation SMS per finished visit, in the citizen's language.

Its own process (``dost-feedback sms-inviter``) and consumer group, apart from the rating
worker, so a slow or failing SMS gateway never holds back the satisfaction numbers.

1. ``enqueue`` (the agent on ``visits.completed``): skips a phone that opted out
   (STOP/DAYAN/СТОП) and a visit already handled, and stores the invitation with its
   outbox row (``dost_channels.outbox``) before the event is acknowledged. It also records
   every completed visit, which the web's kiosk burst rules compare a tablet's presses with.
2. ``InvitationSender.drain`` (a timer): claims due outbox rows, decrypts each phone in
   memory and hands the message to the gateway with the visit id as its idempotency key;
   a failure is retried with backoff, across restarts, until the invitation expires.
   A crash at any moment neither loses an invitation nor sends one twice (see the outbox).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import faust
from prometheus_client import Counter, Gauge, start_http_server
from pydantic import ValidationError

from dost_channels import i18n
from dost_channels.db.offload import in_db_thread
from dost_channels.sms_gateway import SmsGateway, SmsSendError, create_gateway
from dost_channels.store import ChannelStore
from dost_contract import metric_names, topics
from dost_contract.centers import CenterRegistry, load_registry
from dost_contract.phones import InvalidPhone, decrypt_phone
from dost_contract.settings import Settings
from dost_contract.visits import VisitCompleted
from streams.faust_app import new_faust_app
from streams.topic_setup import create_topics

log = logging.getLogger(__name__)

INVITATIONS_TOTAL = Counter(
    metric_names.SMS_INVITATIONS_TOTAL,
    "visits.completed events handled by the SMS-invitation agent, by outcome "
    "(queued, opted_out, duplicate, invalid).",
    ["outcome"],
)
SENDS_TOTAL = Counter(
    metric_names.SMS_INVITATION_SENDS_TOTAL,
    "Invitation send attempts from the outbox, by outcome (sent, failed, gave_up).",
    ["outcome"],
)
OUTBOX_INVITATIONS = Gauge(
    metric_names.SMS_OUTBOX_INVITATIONS, "Invitations in the outbox, by state (pending, sent, gave_up).", ["state"]
)
SMS_INVITER_GROUP_SUFFIX = "-sms-invitations"
HOUSEKEEPING_SECONDS = 600.0
# A message id is remembered far longer than any invitation stays open (48 h by default),
# so a replayed capture finds its id; after that it could only meet a closed invitation.
MESSAGE_ID_RETENTION_SECONDS = 30 * 24 * 3600


def housekeeping(store: ChannelStore, now: float) -> None:
    """Prune what the channel store only needs for a while: tablet presses and finished
    visits (a day), rate-limit buckets (an hour idle), SMS message ids and auto-replies."""
    store.prune_presses(now)
    store.prune_rate_buckets(older_than=now - 3600)
    store.prune_sms_ledger(message_ids_older_than=now - MESSAGE_ID_RETENTION_SECONDS,
                           replies_older_than=now - 2 * 24 * 3600)


def enqueue(raw: bytes, *, settings: Settings, registry: CenterRegistry, store: ChannelStore,
            now: float | None = None) -> str:
    """Store one visits.completed record's invitation in the outbox; returns the outcome."""
    try:
        visit = VisitCompleted.model_validate_json(raw)
    except (ValidationError, ValueError) as exc:
        log.warning("invalid visits.completed record skipped: %s", str(exc).splitlines()[0])
        return "invalid"
    center = registry.get(visit.center_id)
    if center is None:
        log.warning("visits.completed for unknown center %r skipped", visit.center_id)
        return "invalid"
    # Every finished visit, invited or not: how many citizens could have rated at the kiosk.
    store.record_completed_visit(visit.visit_id, visit.center_id, visit.completed_at.timestamp())
    if store.is_opted_out(visit.phone_hash):
        return "opted_out"
    center_name = center.name.en if visit.language == "en" else center.name.az
    added = store.enqueue_invitation(
        visit_id=visit.visit_id, phone_hash=visit.phone_hash, phone_encrypted=visit.phone_encrypted,
        center_id=visit.center_id, service_group=visit.service_group.value if visit.service_group else None,
        language=visit.language, text=i18n.text("sms_invitation", visit.language, center=center_name),
        valid_seconds=settings.sms_invitation_valid_hours * 3600, now=now,
    )
    return "queued" if added else "duplicate"


@dataclass
class InvitationSender:
    """Sends what the outbox holds; several senders may share one store."""

    settings: Settings
    store: ChannelStore
    gateway: SmsGateway

    async def drain(self, now: float | None = None, limit: int = 50) -> dict[str, int]:
        """One pass over the due rows; returns how many were sent, failed and given up."""
        outcomes = {"sent": 0, "failed": 0, "gave_up": 0}
        now = time.time() if now is None else now
        key = self.settings.phone_encryption_key.get_secret_value()
        items = await in_db_thread(self.store.claim_due_invitations, now, self.settings.sms_retry_initial_seconds,
                                   self.settings.sms_retry_max_seconds, limit=limit)
        for item in items:
            outcome = await self._send_one(item, key, now)
            outcomes[outcome] += 1
            SENDS_TOTAL.labels(outcome).inc()
        return outcomes

    async def _send_one(self, item, key: str, now: float) -> str:
        invitation = await in_db_thread(self.store.invitation, item.visit_id)
        if now >= item.expires_at or (invitation is not None and not invitation.is_open(now)):
            opted_out = invitation is not None and await in_db_thread(self.store.is_opted_out, invitation.phone_hash)
            reason = "opted_out" if opted_out else "expired"
            log.error("visit %s: invitation not sent after %d attempts, given up (%s)",
                      item.visit_id, item.attempts - 1, reason)
            await in_db_thread(self.store.give_up_invitation, item.visit_id, reason, now)
            return "gave_up"
        try:
            phone = decrypt_phone(key, item.phone_encrypted)
        except InvalidPhone as exc:
            log.error("visit %s: %s; invitation given up", item.visit_id, exc)
            await in_db_thread(self.store.give_up_invitation, item.visit_id, "undecryptable", now)
            return "gave_up"
        try:
            await self.gateway.send(phone, item.text, purpose="invitation", message_id=item.visit_id)
        except SmsSendError as exc:
            log.warning("visit %s: invitation attempt %d failed, will retry: %s", item.visit_id, item.attempts, exc)
            await in_db_thread(self.store.note_outbox_failure, item.visit_id, str(exc))
            return "failed"
        await in_db_thread(self.store.mark_outbox_sent, item.visit_id)
        return "sent"

    def report(self) -> None:
        for state, count in self.store.outbox_counts().items():
            OUTBOX_INVITATIONS.labels(state).set(count)


def create_sms_invitation_app(settings: Settings, registry: CenterRegistry) -> faust.App:
    """The agent's own Faust app; its consumer group is ``DOST_FAUST_APP_ID`` + ``-sms-invitations``."""
    app_id = settings.faust_app_id + SMS_INVITER_GROUP_SUFFIX
    app = new_faust_app(settings, app_id, settings.state_dir / "sms-inviter")
    visits_topic = app.topic(
        topics.VISITS_COMPLETED, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )
    store = ChannelStore(settings.channels_database)
    sender = InvitationSender(settings, store, create_gateway(settings))
    settings.warn_if_insecure(log)
    for outcome in ("queued", "opted_out", "duplicate", "invalid"):
        INVITATIONS_TOTAL.labels(outcome)
    for outcome in ("sent", "failed", "gave_up"):
        SENDS_TOTAL.labels(outcome)

    @app.agent(visits_topic)
    async def queue_sms_invitations(stream):
        async for raw in stream:
            outcome = await in_db_thread(enqueue, raw, settings=settings, registry=registry, store=store)
            INVITATIONS_TOTAL.labels(outcome).inc()

    @app.timer(interval=settings.sms_outbox_poll_seconds)
    async def send_sms_invitations():
        await sender.drain()
        await in_db_thread(sender.report)

    @app.timer(interval=HOUSEKEEPING_SECONDS)
    async def prune_channel_store():
        await in_db_thread(housekeeping, store, time.time())

    return app


def run_sms_inviter(settings: Settings, loglevel: str = "info") -> None:
    """The agent's process: /metrics on DOST_SMS_INVITER_METRICS_PORT, then the Faust worker."""
    registry = load_registry(settings)
    start_http_server(settings.sms_inviter_metrics_port, addr=settings.worker_metrics_host)
    log.info("metrics on http://%s:%s/metrics", settings.worker_metrics_host, settings.sms_inviter_metrics_port)
    create_topics(settings)  # idempotent: visits.completed exists with the right partitions
    (settings.state_dir / "sms-inviter").mkdir(parents=True, exist_ok=True)
    app = create_sms_invitation_app(settings, registry)
    faust.Worker(app, loglevel=loglevel, quiet=True).execute_from_commandline()
