"""The body limit (before parsing) and the per-IP limit on the public endpoints."""

from __future__ import annotations

import time

import httpx
import pytest
from fastapi.testclient import TestClient

from dost_contract.settings import Settings
from dost_feedback.stack.processes import free_port
from feedback_web.app import create_app
from feedback_web.guards import declared_length, is_public
from tests.conftest import bearer


def test_public_paths_and_declared_length():
    assert is_public("/r/abc") and is_public("/sms/inbound") and not is_public("/api/v1/feedback")
    assert declared_length([(b"Content-Length", b"17")]) == 17
    assert declared_length([(b"content-length", b"x")]) is None and declared_length([]) is None


@pytest.mark.services
def test_a_huge_body_is_refused_413_before_it_is_read(web, client_key):
    huge = b'{"center_id": "baku-1", "rating": 5, "comment": "' + b"x" * 5_000_000 + b'"}'
    started = time.perf_counter()
    response = httpx.post(f"{web.url}/api/v1/feedback", content=huge, timeout=30,
                          headers={"content-type": "application/json", **bearer(client_key)})
    assert (response.status_code, response.json()["code"]) == (413, "body_too_large")
    assert time.perf_counter() - started < 5

    def chunked():
        for _ in range(100):
            yield b"x" * 1000

    streamed = httpx.post(f"{web.url}/sms/inbound", content=chunked(), timeout=30,
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert streamed.status_code == 413
    small = httpx.post(f"{web.url}/api/v1/feedback", json={"center_id": "baku-1", "rating": 5},
                       headers=bearer(client_key), timeout=15)
    assert small.status_code == 202


def test_the_public_endpoints_have_a_per_ip_limit_shared_through_the_store(tmp_path):
    settings = Settings(state_dir=tmp_path, public_rate_limit_per_second=0.5, public_rate_limit_burst=3,
                        kafka_bootstrap_servers=f"127.0.0.1:{free_port()}")
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        answers = [(first if i % 2 else second).get("/r/not-a-token").status_code for i in range(4)]
        assert answers == [404, 404, 404, 429]
        limited = first.post("/sms/inbound", data={"From": "+994501234567", "Body": "5"})
        assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 2
        assert first.get("/healthz").status_code != 429  # only the public endpoints
