"""``GET /kiosk/{center_id}``: the exit tablet's rating page.

A tablet is set up once by opening the link ``dost-feedback devices add`` prints,
``/kiosk/{center_id}#token=...``: the fragment never reaches the server or its logs; the
page keeps the token in localStorage and sends it as a Bearer token with each rating.
"""

from __future__ import annotations

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import HTMLResponse

from dost_channels import i18n
from dost_contract.centers import CenterRegistry
from dost_contract.settings import Settings
from feedback_web.rating_page import render_message_page, render_rating_page

# The page holds no secret, but a tablet must not show a cached page after a deploy.
NO_STORE = {"Cache-Control": "no-store"}


def kiosk_router(settings: Settings, registry: CenterRegistry) -> APIRouter:
    router = APIRouter()

    @router.get("/kiosk/{center_id}", response_class=HTMLResponse,
                responses={404: {"description": "Unknown center (a friendly page)", "content": {"text/html": {}}}})
    async def kiosk_page(
        center_id: str = Path(examples=["baku-1"]),
        lang: str | None = Query(None, description="az (default), ru or en", examples=["ru"]),
        accept_language: str | None = Header(None),
    ) -> HTMLResponse:
        """The tablet page: five faces, optional service group and comment, az/ru/en."""
        # A tablet starts in Azerbaijani whatever its browser says; citizens switch on screen.
        language = i18n.pick_language(lang) if lang else i18n.DEFAULT_LANGUAGE
        center = registry.get(center_id)
        if center is None:
            page = render_message_page(language=i18n.pick_language(lang, accept_language),
                                       title_key="error_unknown_center", body_key="")
            return HTMLResponse(page, status_code=404, headers=NO_STORE)
        page = render_rating_page(mode="kiosk", center=center, language=language, submit_url="/api/v1/feedback",
                                  reset_seconds=settings.kiosk_reset_seconds)
        return HTMLResponse(page, headers=NO_STORE)

    return router
