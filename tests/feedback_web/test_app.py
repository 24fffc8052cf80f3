"""The web API against a real Kafka broker."""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest
from fastapi.testclient import TestClient

from dost_contract import topics
from dost_contract.settings import Settings
from dost_feedback.stack.processes import free_port
from feedback_web.app import create_app
from feedback_web.credentials import CLIENT_CHECK_SECONDS
from tests.conftest import bearer, metric_value, read_topic, wait_for

pytestmark = pytest.mark.services


KEY: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _key(client_key):
    KEY["key"] = client_key


def post(web, key: str | None = "client", **body) -> httpx.Response:
    headers = bearer(KEY["key"] if key == "client" else key) if key else {}
    return httpx.post(f"{web.url}/api/v1/feedback", json=body, headers=headers, timeout=15)


def test_accepted_rating_is_in_kafka_keyed_by_center(web, services_settings):
    feedback_id = str(uuid.uuid4())
    response = post(web, feedback_id=feedback_id, center_id="karabakh-shusha", rating=2, channel="web",
                    service_group="pensions", comment="  Növbə çox uzun idi  ")
    assert response.status_code == 202, response.text
    assert response.json() == {"feedback_id": feedback_id}
    records = [v for k, v in read_topic(services_settings, topics.FEEDBACK_SUBMITTED) if v["feedback_id"] == feedback_id]
    assert len(records) == 1
    record = records[0]
    assert record["schema_version"] == 1
    assert record["center_id"] == "karabakh-shusha"
    assert record["comment"] == "Növbə çox uzun idi"
    assert record["service_group"] == "pensions"
    assert record["submitted_at"] and record["received_at"]
    keys = [k for k, v in read_topic(services_settings, topics.FEEDBACK_SUBMITTED) if v["feedback_id"] == feedback_id]
    assert keys == [b"karabakh-shusha"]


def test_server_assigns_feedback_id_when_client_sends_none(web):
    response = post(web, center_id="baku-2", rating=5)
    assert response.status_code == 202
    uuid.UUID(response.json()["feedback_id"])


@pytest.mark.parametrize(
    "body,field",
    [
        ({"center_id": "mars-1", "rating": 5}, "center_id"),
        ({"center_id": "baku-1", "rating": 0}, "rating"),
        ({"center_id": "baku-1", "rating": 6}, "rating"),
        ({"center_id": "baku-1", "rating": "five"}, "rating"),
        ({"center_id": "baku-1"}, "rating"),
        ({"rating": 5}, "center_id"),
        ({"center_id": 17, "rating": 5}, "center_id"),
        ({"center_id": "baku-1", "rating": 5, "comment": "a" * 1001}, "comment"),
        ({"center_id": "baku-1", "rating": 5, "submitted_at": "2099-01-01T00:00:00Z"}, "submitted_at"),
    ],
)
def test_bad_input_gets_422_with_field_errors(web, body, field):
    response = post(web, **body)
    assert response.status_code == 422, response.text
    fields = {error["loc"][-1] for error in response.json()["detail"]}
    assert field in fields
    assert all(error["msg"] for error in response.json()["detail"])


def test_body_that_is_not_json_gets_422(web):
    response = httpx.post(
        f"{web.url}/api/v1/feedback", content=b"rating=5&center_id=baku-1",
        headers={"content-type": "application/json", **bearer(KEY["key"])}, timeout=15,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


@pytest.mark.parametrize("channel", ["kiosk", "sms", "qr", "web", None])
def test_an_anonymous_rating_gets_401_that_says_what_to_send(web, channel):
    body = {"center_id": "baku-1", "rating": 1} | ({"channel": channel} if channel else {})
    response = post(web, key=None, **body)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "credential_missing"
    assert "device token" in response.json()["detail"] and "client key" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"
    # Anonymous and invalid too: 401 first, the fields are not looked at.
    assert post(web, key=None, center_id="mars-1", rating=9).status_code == 401


def test_client_keys_are_scoped_to_centers_and_channels_and_revocable(web, cli):
    out = cli("clients", "add", "--name", "e-gov portal", "--center", "baku-2").stdout
    key = re.search(r"key:\s+(\S+)", out).group(1)
    client_id = re.search(r"client_id:\s+(\S+)", out).group(1)
    assert post(web, key=key, center_id="baku-2", rating=4).status_code == 202
    assert post(web, key=key, center_id="baku-3", rating=4).json()["code"] == "client_wrong_center"
    assert post(web, key=key, center_id="baku-2", rating=4, channel="kiosk").json()["code"] == "client_wrong_channel"
    for channel in ("sms", "qr"):  # never through the API, whatever the key
        refused = post(web, center_id="baku-2", rating=4, channel=channel)
        assert (refused.status_code, refused.json()["code"]) == (403, "channel_not_posted_here")
    assert post(web, key="ck_not-a-key", center_id="baku-2", rating=4).json()["code"] == "client_unknown"
    assert post(web, key="something", center_id="baku-2", rating=4).status_code == 401
    assert client_id in cli("clients", "list").stdout and key not in cli("clients", "list").stdout
    cli("clients", "revoke", client_id)
    revoked_at = time.monotonic()
    # A web process trusts a checked key CLIENT_CHECK_SECONDS; then the revocation holds.
    revoked = wait_for(lambda: (lambda r: r if r.status_code == 401 else None)(
        post(web, key=key, center_id="baku-2", rating=4)), timeout=CLIENT_CHECK_SECONDS + 10,
        message="the revoked key refused", interval=0.5)
    assert revoked.json()["code"] == "client_revoked" and time.monotonic() - revoked_at < CLIENT_CHECK_SECONDS + 5
    bad = cli("clients", "add", "--name", "x", "--channel", "sms", check=False)
    assert bad.returncode == 1 and "signed webhook" in bad.stderr


def test_health_and_metrics(web):
    assert httpx.get(f"{web.url}/healthz").json() == {"status": "ok", "broker": "ok"}
    post(web, center_id="baku-4", rating=3, channel="web")
    text = httpx.get(f"{web.url}/metrics").text
    assert metric_value(text, "dost_web_feedback_accepted_total", channel="web") >= 1
    assert metric_value(text, "dost_web_feedback_rejected_total", reason="invalid") >= 0


def test_openapi_documents_the_endpoint(web):
    schema = httpx.get(f"{web.url}/openapi.json").json()
    assert "/api/v1/feedback" in schema["paths"]
    assert httpx.get(f"{web.url}/docs").status_code == 200


def test_broker_down_gets_503_and_nothing_is_written(kafka, services_settings):
    """A web whose broker is unreachable refuses cleanly and publishes nothing."""
    dead_broker = Settings(**{**services_settings.model_dump(), "kafka_bootstrap_servers": f"127.0.0.1:{free_port()}",
                              "publish_timeout_seconds": 2.0})
    feedback_id = str(uuid.uuid4())
    with TestClient(create_app(dead_broker)) as client:
        response = client.post("/api/v1/feedback", json={"feedback_id": feedback_id, "center_id": "baku-1", "rating": 5},
                               headers=bearer(KEY["key"]))
        assert response.status_code == 503
        assert response.json()["feedback_id"] == feedback_id
        assert "Retry" in response.json()["detail"]
        assert response.headers["retry-after"]
        assert client.get("/healthz").status_code == 503
    published = [v for _, v in read_topic(services_settings, topics.FEEDBACK_SUBMITTED) if v["feedback_id"] == feedback_id]
    assert published == []
