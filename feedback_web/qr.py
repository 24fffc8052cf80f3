"""QR links on tickets: ``GET /r/{token}`` shows the form, ``POST /r/{token}`` rates once.

Each token is one visit: the first accepted rating uses it up, and a used or expired
token never submits again, not even a replay with the same ``feedback_id`` (410). A
used, expired or unknown token gets a friendly page (410/404) in the citizen's
language, never a 500. QR ratings carry ``channel=qr``.
``render_qr`` draws the code for a ticket printer (``dost-feedback qr``).
"""

from __future__ import annotations

import io
import time
import uuid

import segno
from fastapi import APIRouter, Header, Query
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dost_channels import i18n
from dost_channels.db.offload import in_db_thread
from dost_channels.store import ChannelStore, QrState
from dost_contract.centers import CenterRegistry
from dost_contract.events import MAX_COMMENT_CHARS, Channel, FeedbackSubmitted, Rating, ServiceGroup, utc_now
from dost_contract.settings import Settings
from feedback_web.devices import refuse
from feedback_web.ingest import publish_or_503
from feedback_web.kiosk import NO_STORE
from feedback_web.publisher import FeedbackPublisher
from feedback_web.rating_page import render_message_page, render_rating_page


class QrFeedbackIn(BaseModel):
    """The body of ``POST /r/{token}``: the center comes from the token."""

    model_config = ConfigDict(extra="ignore")

    feedback_id: uuid.UUID | None = None
    rating: Rating
    service_group: ServiceGroup | None = None
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)


class Accepted(BaseModel):
    feedback_id: str


TOKEN_PAGES = {
    QrState.USED: (410, "qr_used_title", "qr_used_body", "token_used", "qr_used"),
    QrState.EXPIRED: (410, "qr_expired_title", "qr_expired_body", "token_expired", "qr_expired"),
    QrState.UNKNOWN: (404, "qr_unknown_title", "qr_unknown_body", "token_unknown", "qr_unknown"),
}


def render_qr(url: str, kind: str = "svg", scale: int = 8) -> bytes:
    """The QR code for ``url`` as SVG or PNG bytes (error correction M: survives a smudge)."""
    qr = segno.make(url, error="m")
    out = io.BytesIO()
    qr.save(out, kind=kind, scale=scale, border=4)
    return out.getvalue()


def qr_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url}/r/{token}"


def qr_router(settings: Settings, registry: CenterRegistry, store: ChannelStore,
              publisher: FeedbackPublisher) -> APIRouter:
    router = APIRouter()

    async def state_of(token: str):
        record = await in_db_thread(store.qr_token, token) if len(token) <= 128 else None
        return record, (record.state(time.time()) if record else QrState.UNKNOWN)

    @router.get("/r/{token}", response_class=HTMLResponse,
                responses={404: {"description": "Unknown link (a friendly page)", "content": {"text/html": {}}},
                           410: {"description": "Used or expired link (a friendly page)", "content": {"text/html": {}}}})
    async def qr_form(token: str, lang: str | None = Query(None, description="az, ru or en"),
                      accept_language: str | None = Header(None)) -> HTMLResponse:
        """The mobile rating form for one ticket."""
        language = i18n.pick_language(lang, accept_language)
        record, state = await state_of(token)
        center = registry.get(record.center_id) if record else None
        if state != QrState.VALID or center is None:
            status, title, body, _, _ = TOKEN_PAGES[state if center else QrState.UNKNOWN]
            return HTMLResponse(render_message_page(language=language, title_key=title, body_key=body),
                                status_code=status, headers=NO_STORE)
        page = render_rating_page(mode="qr", center=center, language=language, submit_url=f"/r/{token}",
                                  service_group=record.service_group)
        return HTMLResponse(page, headers=NO_STORE)

    @router.post("/r/{token}", status_code=202, response_model=Accepted,
                 responses={404: {"description": "Unknown link"}, 410: {"description": "Link used or expired"},
                            503: {"description": "Broker unavailable: retry with the same feedback_id"}})
    async def qr_submit(token: str, body: QrFeedbackIn) -> Accepted | JSONResponse:
        """Rate the visit of this ticket; the token is used up once the rating is accepted."""
        record, state = await state_of(token)
        feedback_id = str(body.feedback_id or uuid.uuid4())
        if record is None or registry.get(record.center_id) is None \
                or not await in_db_thread(store.claim_qr_token, token, feedback_id):
            if record is not None and state == QrState.VALID:
                state = QrState.USED  # lost a race with another submission
            status, _, _, reason, code = TOKEN_PAGES[state if record else QrState.UNKNOWN]
            messages = {"qr_used": "this link has already been used", "qr_expired": "this link has expired",
                        "qr_unknown": "unknown link"}
            return refuse(status, code, messages[code], reason)
        received_at = utc_now()
        feedback = FeedbackSubmitted(
            feedback_id=feedback_id, center_id=record.center_id,
            service_group=body.service_group or record.service_group, channel=Channel.QR,
            rating=body.rating, comment=body.comment, submitted_at=received_at, received_at=received_at,
        )
        failure = await publish_or_503(publisher, feedback)
        if failure is not None:
            await in_db_thread(store.release_qr_token, token, feedback_id)  # not recorded: the citizen may try again
            return failure
        return Accepted(feedback_id=feedback_id)

    return router
