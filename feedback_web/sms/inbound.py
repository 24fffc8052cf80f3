"""``POST /sms/inbound``: the SMS gateway's webhook for citizens' replies.

1. The signature (the ``DOST_SMS_SIGNATURE_SCHEME``'s, see ``feedback_web.sms.signature``)
   is checked before anything else: unsigned, badly signed or stale calls get 403.
2. Each gateway message id is processed once (``dost_channels.sms_ledger``): a gateway
   retry or a captured request replayed is answered ``duplicate`` and does nothing.
3. The reply is matched to the phone's open invitation (by keyed phone hash).
4. STOP/DAYAN/СТОП opts the phone out; a rating is published once (its feedback_id is
   derived from the visit, so even a new message id cannot count twice); a reply without
   a rating gets a polite help SMS and is not counted. A counted rating's phone is kept,
   encrypted, for a while so that a follow-up case can answer the citizen; a reply to a
   follow-up case's survey is recorded on the case and is not a rating
   (``dost_channels.case_sms``).
5. The auto-replies (opted out, closed, help) go to a phone at most once a day, so an
   auto-responder on the citizen's side cannot make an SMS loop.
Answers are JSON ``{"status": ...}`` under ``dost``; under ``twilio`` an empty TwiML
``<Response/>`` (Twilio then sends nothing) with the status in ``X-Dost-Sms-Status``.
The citizen hears back by SMS through the outbound gateway.
"""

from __future__ import annotations

import logging
import time
import uuid

from fastapi import APIRouter, Depends, Form, Header, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from dost_channels import i18n
from dost_channels.case_sms import answer_case_survey, survey_case_id
from dost_channels.cases import CaseStore
from dost_channels.db.offload import in_db_thread
from dost_channels.sms_gateway import SmsGateway, SmsSendError
from dost_channels.store import ChannelStore
from dost_contract.events import Channel, FeedbackSubmitted, utc_now
from dost_contract.followup import CaseError
from dost_contract.phones import InvalidPhone, encrypt_phone, mask_phone, normalize_phone, phone_hash
from dost_contract.settings import Settings
from feedback_web import metrics
from feedback_web.ingest import publish_or_503
from feedback_web.pii import clean_comment
from feedback_web.publisher import FeedbackPublisher
from feedback_web.sms.parsing import parse_sms
from feedback_web.sms.signature import (
    DOST_SIGNATURE_HEADER,
    DOST_TIMESTAMP_HEADER,
    signature_scheme,
)

log = logging.getLogger(__name__)

# feedback_id = uuid5(namespace, visit_id): one visit, one id, however often the reply comes.
SMS_FEEDBACK_NAMESPACE = uuid.UUID("5f0e3a52-8d0c-4d4e-9a51-0f5b3f1f2c11")
# Courtesy answers that are not a rating's thanks: at most one a day per phone.
AUTO_REPLIES = {"opt_out", "closed", "help"}
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


class SmsOutcome(BaseModel):
    status: str
    feedback_id: str | None = None


def sms_feedback_id(visit_id: str) -> uuid.UUID:
    return uuid.uuid5(SMS_FEEDBACK_NAMESPACE, visit_id)


def sms_router(settings: Settings, store: ChannelStore, publisher: FeedbackPublisher,
               gateway: SmsGateway) -> APIRouter:
    router = APIRouter()
    scheme = signature_scheme(settings.sms_signature_scheme, settings.sms_signature_secret.get_secret_value(),
                              settings.sms_signature_max_age_seconds)
    hash_secret = settings.phone_hash_secret.get_secret_value()
    encryption_key = settings.phone_encryption_key.get_secret_value()
    cases = CaseStore(store.url)  # the same database as the channel store

    async def signed(request: Request) -> str:
        # A dependency: FastAPI runs it before validating the form fields, so an unsigned
        # call is refused with 403 whatever it contains. Returns the message id.
        form = await request.form()
        params = [(name, value) for name, value in form.multi_items() if isinstance(value, str)]
        url = settings.sms_webhook_url or str(request.url)
        verdict = scheme.verify(url, params, request.headers, time.time())
        if not verdict.ok:
            metrics.SMS_REPLIES_TOTAL.labels("bad_signature").inc()
            raise HTTPException(status_code=403, detail=verdict.problem)
        return verdict.message_id

    def answer(outcome: SmsOutcome) -> SmsOutcome | Response:
        if scheme.name != "twilio":
            return outcome
        headers = {"X-Dost-Sms-Status": outcome.status}
        if outcome.feedback_id:
            headers["X-Dost-Feedback-Id"] = outcome.feedback_id
        return Response(EMPTY_TWIML, media_type="text/xml", headers=headers)

    async def reply(phone: str, key: str, language: str | None, purpose: str) -> None:
        if purpose in AUTO_REPLIES and not await in_db_thread(store.claim_auto_reply, phone_hash(hash_secret, phone),
                                                              purpose):
            log.info("%s auto-reply to %s skipped: it had one today", purpose, mask_phone(phone))
            return
        try:
            await gateway.send(phone, i18n.text(key, language), purpose=purpose)
        except SmsSendError as exc:  # the rating is safe; only the courtesy SMS is lost
            log.warning("%s SMS to %s failed: %s", purpose, mask_phone(phone), exc)

    def done(outcome: str, feedback_id: str | None = None) -> SmsOutcome:
        metrics.SMS_REPLIES_TOTAL.labels(outcome).inc()
        return SmsOutcome(status=outcome, feedback_id=feedback_id)

    @router.post(
        "/sms/inbound", response_model=SmsOutcome,
        responses={200: {"content": {"text/xml": {}}, "description": "JSON, or empty TwiML under twilio"},
                   403: {"description": "Missing, invalid or stale signature"},
                   422: {"description": "From is not a phone number"},
                   503: {"description": "Broker unavailable; the gateway should retry"}},
    )
    async def sms_inbound(
        From: str = Form(..., max_length=64, description="The sender's phone number",
                         examples=["+994501234567"]),  # noqa: N803
        Body: str = Form("", max_length=5000, description="The SMS text", examples=["5 çox yaxşı idi"]),  # noqa: N803
        message_id: str = Depends(signed),
        # Declared for the OpenAPI schema only; the `signed` dependency has already checked them.
        x_dost_signature: str | None = Header(
            None, alias=DOST_SIGNATURE_HEADER,
            description="dost scheme: base64 HMAC-SHA256 of the timestamp, a newline, the URL and the sorted "
                        "form fields (name+value). Under twilio: X-Twilio-Signature instead.",
        ),
        x_dost_timestamp: str | None = Header(None, alias=DOST_TIMESTAMP_HEADER,
                                              description="dost scheme: unix seconds, signed"),
    ) -> SmsOutcome | JSONResponse | Response:
        """A citizen's SMS reply, forwarded by the gateway. Each message id is processed once."""
        try:
            phone = normalize_phone(From)
        except InvalidPhone as exc:
            raise HTTPException(status_code=422, detail=[{"type": "invalid_phone", "loc": ["body", "From"],
                                                          "msg": str(exc)}]) from None
        if not await in_db_thread(store.claim_sms_message, message_id):
            return answer(done("duplicate"))
        try:
            result = await handle(phone, Body)
        except BaseException:
            await in_db_thread(store.release_sms_message, message_id)
            raise
        if isinstance(result, JSONResponse):  # not recorded (broker down): the gateway's retry is processed
            await in_db_thread(store.release_sms_message, message_id)
            return result
        await in_db_thread(store.finish_sms_message, message_id, result.status)
        return answer(result)

    async def handle(phone: str, text: str) -> SmsOutcome | JSONResponse:
        key = phone_hash(hash_secret, phone)
        parsed = parse_sms(text)
        now = time.time()
        invitation = await in_db_thread(store.latest_invitation, key)
        language = parsed.language or (invitation.language if invitation else None)
        if parsed.opt_out:
            await in_db_thread(store.opt_out, key, now)
            await reply(phone, "sms_opted_out", language, "opt_out")
            log.info("SMS opt-out from %s", mask_phone(phone))
            return done("opted_out")
        if invitation is None:
            return done("no_invitation")  # not someone we invited: no reply, no cost
        if not invitation.is_open(now):
            await reply(phone, "sms_closed", language, "closed")
            return done("closed")
        if parsed.rating is None:
            if await in_db_thread(store.mark_help_sent, invitation.visit_id, now):
                await reply(phone, "sms_help", language, "help")
                return done("help_sent")
            return done("ignored")
        if survey_case_id(invitation.visit_id) is not None:
            return await survey_answer(phone, invitation, parsed.rating, language, now)
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
        await in_db_thread(store.mark_answered, invitation.visit_id, str(feedback.feedback_id), now)
        await in_db_thread(store.remember_contact, feedback_id=str(feedback.feedback_id), phone_hash=key,
                           phone_encrypted=encrypt_phone(encryption_key, phone),
                           language=language or invitation.language,
                           valid_seconds=settings.followup_contact_days * 86400, now=now)
        await reply(phone, "sms_thanks", language, "thanks")
        return done("counted", str(feedback.feedback_id))

    async def survey_answer(phone: str, invitation, rating: int, language: str | None, now: float) -> SmsOutcome:
        """A reply to a follow-up case's survey: recorded on the case, not counted as a rating."""
        try:
            case = await in_db_thread(answer_case_survey, store, cases, invitation.visit_id, rating, now)
        except CaseError as exc:
            log.info("survey reply for %s not recorded: %s", invitation.visit_id, exc)
            return done("ignored")
        await reply(phone, "sms_case_survey_thanks", language, "thanks")
        log.info("survey answer %d recorded on case %s (%s)", rating, case.case_id, case.status)
        return done("case_survey")

    return router
