"""The hot path answers exactly as the FastAPI route would, and hands over what it does not take.

Each request goes to two apps built from the same settings and channel store: the real
app (hot path in front) and the same app with the hot path removed (the route alone).
Accepted ratings through a real broker: tests/feedback_web/test_app.py.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest

from dost_contract.settings import Settings
from dost_feedback.stack.processes import free_port
from feedback_web.app import create_app
from feedback_web.hot_path import HotPath, parse_rating, rating_request

pytestmark = pytest.mark.timeout(60)
FEEDBACK_ID = "00000000-0000-4000-8000-0000000000a1"


def scope(method="POST", path="/api/v1/feedback", headers=None):
    return {"type": "http", "method": method, "path": path, "headers": headers or []}


def test_only_a_json_post_of_a_rating_with_a_bearer_credential_is_taken():
    good = [(b"content-type", b"application/json"), (b"authorization", b"Bearer ck_x")]
    assert rating_request(scope(headers=good)) == "Bearer ck_x"
    assert rating_request(scope(headers=[(b"content-type", b"application/JSON; charset=UTF-8"), good[1]])) \
        == "Bearer ck_x"
    assert rating_request(scope(method="GET", headers=good)) is None
    assert rating_request(scope(path="/api/v1/feedback/", headers=good)) is None
    assert rating_request(scope(headers=good[:1])) is None  # no credential: the route's 401
    assert rating_request(scope(headers=[good[0], (b"authorization", b"Basic eDp5")])) is None
    assert rating_request(scope(headers=[(b"content-type", b"text/plain"), good[1]])) is None
    assert rating_request(scope(headers=good[1:])) is None  # no content type: the route decides
    assert rating_request({"type": "websocket", "path": "/api/v1/feedback"}) is None


def test_a_body_is_taken_only_when_the_model_accepts_it_as_fastapi_would():
    assert parse_rating(b'{"center_id": "baku-1", "rating": 5}').rating == 5
    for body in (b"", b"rating=5", b'{"center_id": "baku-1", "rating": NaN}', b'{"center_id": "baku-1"}',
                 b'{"center_id": "baku-1", "rating": 5, "extra": 1}', b'[1]', b'{"center_id": "baku-1", "rating": 5.0}',
                 '{"center_id": "baku-1", "rating": 5}'.encode("utf-16")):
        assert parse_rating(body) is None, body


@pytest.fixture
def apps(tmp_path):
    settings = Settings(state_dir=tmp_path, kafka_bootstrap_servers=f"127.0.0.1:{free_port()}",  # nobody listens
                        publish_timeout_seconds=0.3, kiosk_rate_limit_burst=3)
    hot = create_app(settings)
    route_only = create_app(settings)
    route_only.user_middleware = [m for m in route_only.user_middleware if m.cls is not HotPath]
    _, client_key = hot.state.store.add_client("test", ["baku-1"], ["web"])
    _, device_token = hot.state.store.add_device("baku-1", "tablet")
    yield hot, route_only, client_key, device_token
    for app in (hot, route_only):
        asyncio.run(app.state.publisher.close())
        app.state.store.close()


async def post_to(app, content: bytes, headers: dict) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        return await client.post("/api/v1/feedback", content=content, headers=headers)


def both(apps, body, key: str | None, content_type="application/json") -> tuple[httpx.Response, httpx.Response]:
    hot, route_only = apps[:2]
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": content_type} | ({"authorization": f"Bearer {key}"} if key else {})
    return asyncio.run(post_to(hot, content, headers)), asyncio.run(post_to(route_only, content, headers))


REFUSED = [
    ({"center_id": "baku-1", "rating": 5}, None),  # no credential
    ({"center_id": "baku-1", "rating": 5}, "ck_unknown"),
    ({"center_id": "baku-2", "rating": 5}, "client"),  # not in the key's scope
    ({"center_id": "baku-1", "rating": 5, "channel": "sms"}, "client"),
    ({"center_id": "baku-1", "rating": 5, "channel": "web"}, "device"),
    ({"center_id": "baku-2", "rating": 5, "channel": "kiosk"}, "device"),
    ({"center_id": "mars-1", "rating": 5}, "client"),
    ({"center_id": "baku-1", "rating": 9}, "client"),
    ({"center_id": "baku-1", "rating": 5, "submitted_at": "2099-01-01T00:00:00Z"}, "client"),
    ({"center_id": "baku-1", "rating": 5, "surprise": True}, "client"),
    (b"rating=5&center_id=baku-1", "client"),
]


@pytest.mark.parametrize("body,who", REFUSED)
def test_refusals_and_field_errors_are_the_routes_own(apps, body, who):
    key = {"client": apps[2], "device": apps[3]}.get(who, who)
    hot, route = both(apps, body, key)
    assert hot.status_code in (401, 403, 422), hot.text
    assert (hot.status_code, hot.json(), hot.headers.get("www-authenticate")) == \
        (route.status_code, route.json(), route.headers.get("www-authenticate"))


def test_a_valid_rating_is_published_by_the_hot_path_with_the_routes_answer(apps):
    hot_app, _, client_key, _ = apps
    body = {"feedback_id": FEEDBACK_ID, "center_id": "baku-1", "rating": 4}
    hot, route = both(apps, body, client_key)  # no broker listens: both publish, both answer 503
    assert (hot.status_code, route.status_code) == (503, 503)
    assert hot.json()["feedback_id"] == route.json()["feedback_id"] == FEEDBACK_ID
    assert hot.headers["retry-after"] == route.headers["retry-after"] == "5"

    reached_the_route = []

    async def route_marker(scope, receive, send):  # stands for the FastAPI app behind the hot path
        reached_the_route.append(scope["path"])
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    hot_path = next(m for m in hot_app.user_middleware if m.cls is HotPath)
    alone = HotPath(route_marker, **hot_path.kwargs)
    response = asyncio.run(post_to(alone, json.dumps(body).encode(),
                                   {"content-type": "application/json", "authorization": f"Bearer {client_key}"}))
    assert response.status_code == 503 and reached_the_route == []
    response = asyncio.run(post_to(alone, b'{"rating": 5}', {"content-type": "application/json",
                                                            "authorization": f"Bearer {client_key}"}))
    assert response.status_code == 418 and reached_the_route == ["/api/v1/feedback"]  # a body that does not validate: handed over


def test_a_kiosk_rating_keeps_its_device_rate_limit_on_the_hot_path(apps):
    hot_app, _, _, device_token = apps
    statuses = []
    for _ in range(4):
        body = {"feedback_id": str(uuid.uuid4()), "center_id": "baku-1", "rating": 5, "channel": "kiosk"}
        response = asyncio.run(post_to(hot_app, json.dumps(body).encode(),
                                       {"content-type": "application/json", "authorization": f"Bearer {device_token}"}))
        statuses.append(response.status_code)
    assert statuses == [503, 503, 503, 429]  # a burst of 3, then the limit (no broker: 503 for the first 3)
