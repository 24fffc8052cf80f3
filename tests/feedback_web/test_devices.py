"""Kiosk device tokens through the real CLI and the real web: unknown, revoked, wrong center, 429."""

from __future__ import annotations

import uuid

import httpx
import pytest

from dost_contract import topics
from tests.conftest import read_topic

pytestmark = pytest.mark.services


def kiosk_post(web, token: str | None, center_id: str, **extra) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"center_id": center_id, "rating": 4, "channel": "kiosk", **extra}
    return httpx.post(f"{web.url}/api/v1/feedback", json=body, headers=headers, timeout=15)


def test_a_registered_device_submits_for_its_center(web, add_device, services_settings):
    _, token = add_device("baku-4")
    feedback_id = str(uuid.uuid4())
    response = kiosk_post(web, token, "baku-4", feedback_id=feedback_id,
                          comment="Nömrəm 050 123 45 67, e-poçt ali@mail.az")
    assert response.status_code == 202, response.text
    record = next(v for _, v in read_topic(services_settings, topics.FEEDBACK_SUBMITTED)
                  if v["feedback_id"] == feedback_id)
    assert record["channel"] == "kiosk"
    assert record["comment"] == "Nömrəm [phone], e-poçt [email]"


@pytest.mark.parametrize("token,status,code", [
    (None, 401, "credential_missing"),
    ("dk_not-a-real-token", 401, "device_unknown"),
])
def test_missing_or_unknown_token_is_401(web, token, status, code):
    response = kiosk_post(web, token, "baku-4")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.headers["www-authenticate"] == "Bearer"


def test_token_of_another_center_is_403(web, add_device):
    _, token = add_device("baku-4")
    response = kiosk_post(web, token, "baku-1")
    assert (response.status_code, response.json()["code"]) == (403, "device_wrong_center")


def test_revoked_token_is_401_at_once(web, add_device, cli):
    device_id, token = add_device("baku-4")
    assert kiosk_post(web, token, "baku-4").status_code == 202
    assert device_id in cli("devices", "list").stdout
    cli("devices", "revoke", device_id)
    response = kiosk_post(web, token, "baku-4")
    assert (response.status_code, response.json()["code"]) == (401, "device_revoked")
    listing = next(line for line in cli("devices", "list").stdout.splitlines() if device_id in line)
    assert "revoked" in listing and token not in listing
    again = cli("devices", "revoke", device_id, check=False)
    assert again.returncode == 1 and "no active device" in again.stderr


def test_cli_refuses_an_unknown_center(cli):
    result = cli("devices", "add", "--center", "mars-1", check=False)
    assert result.returncode == 1 and "unknown center 'mars-1'" in result.stderr


def test_a_device_over_its_rate_limit_gets_429_with_retry_after(web, add_device, services_settings):
    _, token = add_device("baku-4")
    burst = services_settings.kiosk_rate_limit_burst
    answers = [kiosk_post(web, token, "baku-4").status_code for _ in range(burst)]
    assert answers == [202] * burst
    refused = kiosk_post(web, token, "baku-4")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= services_settings.kiosk_rate_limit_seconds
    # Other devices are not affected.
    _, other = add_device("baku-4")
    assert kiosk_post(web, other, "baku-4").status_code == 202
