"""The hot path of ``POST /api/v1/feedback``: a valid rating skips FastAPI's per-request work.

FastAPI's routing, dependency solving and response serialisation cost more CPU than the
rating itself (docs/benchmarks.md, "Ingest (web)"). This ASGI middleware sits inside
``RequestGuards`` (so the 16 KB body limit and the per-IP limit hold first) and takes a
request only when it is a JSON body that ``FeedbackIn`` accepts and that carries a bearer
credential. It then calls the same ``RatingIntake.accept`` as the route, so every check,
refusal and answer is the route's. Anything else (no credential, a body that does not
validate, an unknown center) is handed, body intact, to the FastAPI app, which answers as
it always did: the error bodies and the OpenAPI schema stay the route's.
"""

from __future__ import annotations

import orjson
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from dost_channels.tokens import bearer_token
from dost_contract.events import FeedbackIn
from feedback_web.guards import replay
from feedback_web.intake import RatingIntake

FEEDBACK_PATH = "/api/v1/feedback"
JSON_TYPES = (b"application/json", b"application/json; charset=utf-8")


def rating_request(scope) -> str | None:
    """The Authorization header of a JSON ``POST /api/v1/feedback`` with a bearer credential, else None."""
    if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != FEEDBACK_PATH:
        return None
    authorization = content_type = None
    for name, value in scope["headers"]:
        if name == b"authorization" and authorization is None:
            authorization = value.decode("latin-1")
        elif name == b"content-type" and content_type is None:
            content_type = value.lower()
    if content_type not in JSON_TYPES or bearer_token(authorization) is None:
        return None
    return authorization


def parse_rating(body: bytes) -> FeedbackIn | None:
    """The body as FastAPI would validate it (JSON, then the model in Python mode), or None
    when anything is off: the route then answers, with its own 422."""
    try:
        return FeedbackIn.model_validate(orjson.loads(body))
    except (orjson.JSONDecodeError, ValidationError):
        return None


class HotPath:
    def __init__(self, app, intake: RatingIntake) -> None:
        self.app = app
        self.intake = intake

    async def __call__(self, scope, receive, send) -> None:
        authorization = rating_request(scope)
        if authorization is None:
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:  # RequestGuards has bounded the body to DOST_MAX_REQUEST_BODY_BYTES
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # a disconnect: the app sees it
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        rating = parse_rating(body)
        answer = None
        if rating is not None:
            try:
                refusal, feedback_id = await self.intake.accept(rating, authorization)
            except RequestValidationError:  # unknown center, future time: raised before any check
                pass  # the route raises it again and answers its 422
            else:
                answer = refusal or JSONResponse(status_code=202, content={"feedback_id": feedback_id})
        if answer is None:
            await self.app(scope, replay(body, receive), send)
            return
        await answer(scope, receive, send)

