"""``POST /sms/inbound``: the SMS gateway's webhook for citizens' replies.

1. The signature (``X-Dost-Signature``, see ``feedback_web.sms.signature``) is checked before
   anything else: unsigned or badly signed calls get 403.
2. The reply is matched to the phone's open invitation (by keyed phone hash).
3. STOP/DAYAN/СТОП opts the phone out; a rating is published once (its feedback_id is
   derived from the visit, so a gateway retry cannot count twice); a reply without a
   rating gets one polite help SMS and is not counted.
Answers are JSON ``{"status": ...}`` for the gateway; the citizen hears back by SMS.
"""

from __future__ import annotations

import logging
import time
import uuid

from fastapi import APIRouter, Depends, Form, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from dost_channels import i18n
from dost_channels.sms_gateway import SmsGateway, SmsSendError
from dost_channels.store import ChannelStore
from dost_contract.events import Channel, FeedbackSubmitted, utc_now
from dost_contract.phones import InvalidPhone, mask_phone, normalize_phone, phone_hash
from dost_contract.settings import Settings
from feedback_web import metrics
from feedback_web.ingest import publish_or_503
from feedback_web.pii import clean_comment
from feedback_web.publisher import FeedbackPublisher
from feedback_web.sms.parsing import parse_sms
from feedback_web.sms.signature import SIGNATURE_HEADER, verify_signature

log = logging.getLogger(__name__)

# feedback_id = uuid5(namespace, visit_id): one visit, one id, however often the reply comes.
SMS_FEEDBACK_NAMESPACE = uuid.UUID("5f0e3a52-8d0c-4d4e-9a51-0f5b3f1f2c11")


class SmsOutcome(BaseModel):
    status: str
    feedback_id: str | None = None


def sms_feedback_id(visit_id: str) -> uuid.UUID:
    return uuid.uuid5(SMS_FEEDBACK_NAMESPACE, visit_id)


def sms_router(settings: Settings, store: ChannelStore, publisher: FeedbackPublisher,
               gateway: SmsGateway) -> APIRouter:
    router = APIRouter()
    secret = settings.sms_signature_secret.get_secret_value()
    hash_secret = settings.phone_hash_secret.get_secret_value()

    async def signed(request: Request) -> None:
        # A dependency: FastAPI runs it before validating the form fields, so an unsigned
        # call is refused with 403 whatever it contains.
        form = await request.form()
        params = [(name, value) for name, value in form.multi_items() if isinstance(value, str)]
        url = settings.sms_webhook_url or str(request.url)
        if not verify_signature(secret, url, params, request.headers.get(SIGNATURE_HEADER)):
            metrics.SMS_REPLIES_TOTAL.labels("bad_signature").inc()
            raise HTTPException(status_code=403, detail=f"missing or invalid {SIGNATURE_HEADER}")

    async def reply(phone: str, key: str, language: str | None, purpose: str) -> None:
        try:
            await gateway.send(phone, i18n.text(key, language), purpose=purpose)
        except SmsSendError as exc:  # the rating is safe; only the courtesy SMS is lost
            log.warning("%s SMS to %s failed: %s", purpose, mask_phone(phone), exc)

    def done(outcome: str, feedback_id: str | None = None) -> SmsOutcome:
        metrics.SMS_REPLIES_TOTAL.labels(outcome).inc()
        return SmsOutcome(status=outcome, feedback_id=feedback_id)

    @router.post(
        "/sms/inbound", response_model=SmsOutcome, dependencies=[Depends(signed)],
        responses={403: {"description": "Missing or invalid signature"},
                   422: {"description": "From is not a phone number"},
                   503: {"description": "Broker unavailable; the gateway should retry"}},
    )
    async def sms_inbound(
        From: str = Form(..., max_length=64, description="The sender's phone number",
                         examples=["+994501234567"]),  # noqa: N803
        Body: str = Form("", max_length=5000, description="The SMS text", examples=["5 çox yaxşı idi"]),  # noqa: N803
        # Declared for the OpenAPI schema only; the `signed` dependency has already checked it.
        x_dost_signature: str | None = Header(
            None, alias=SIGNATURE_HEADER,
            description="base64 HMAC-SHA256 of the URL followed by the sorted form fields (name+value)",
        ),
    ) -> SmsOutcome | JSONResponse:
        """A citizen's SMS reply, forwarded by the gateway."""
        try:
            phone = normalize_phone(From)
        except InvalidPhone as exc:
            raise HTTPException(status_code=422, detail=[{"type": "invalid_phone", "loc": ["body", "From"],
                                                          "msg": str(exc)}]) from None
        key = phone_hash(hash_secret, phone)
        parsed = parse_sms(Body)
        now = time.time()
        invitation = store.latest_invitation(key)
        language = parsed.language or (invitation.language if invitation else None)
        if parsed.opt_out:
            store.opt_out(key, now)
            await reply(phone, "sms_opted_out", language, "opt_out")
            log.info("SMS opt-out from %s", mask_phone(phone))
            return done("opted_out")
        if invitation is None:
            return done("no_invitation")  # not someone we invited: no reply, no cost
        if not invitation.is_open(now):
            await reply(phone, "sms_closed", language, "closed")
            return done("closed")
        if parsed.rating is None:
            if store.mark_help_sent(invitation.visit_id, now):
                await reply(phone, "sms_help", language, "help")
                return done("help_sent")
            return done("ignored")
        received_at = utc_now()
        feedback = FeedbackSubmitted(
            feedback_id=sms_feedback_id(invitation.visit_id), center_id=invitation.center_id,
            service_group=invitation.service_group, channel=Channel.SMS, rating=parsed.rating,
            comment=clean_comment(parsed.comment), submitted_at=received_at, received_at=received_at,
        )
        failure = await publish_or_503(publisher, feedback)
        if failure is not None:
            metrics.SMS_REPLIES_TOTAL.labels("broker_unavailable").inc()
            return failure
        store.mark_answered(invitation.visit_id, str(feedback.feedback_id), now)
        await reply(phone, "sms_thanks", language, "thanks")
        return done("counted", str(feedback.feedback_id))

    return router
