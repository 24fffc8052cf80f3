"""The SMS gateways: the dev log gateway's outbox and the HTTP gateway against a real local server."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from dost_channels.sms_gateway import HttpGateway, LogGateway, SmsSendError, create_gateway
from dost_contract.phones import phone_hash
from dost_contract.settings import Settings


def test_log_gateway_writes_the_outbox_without_the_phone(tmp_path, caplog):
    outbox = tmp_path / "outbox.jsonl"
    gateway = LogGateway(outbox, "secret")
    with caplog.at_level("INFO"):
        asyncio.run(gateway.send("+994501234567", "DOST: salam", purpose="invitation"))
    record = json.loads(outbox.read_text())
    assert record["to_hash"] == phone_hash("secret", "+994501234567")
    assert record["text"] == "DOST: salam" and record["purpose"] == "invitation"
    assert "501234567" not in outbox.read_text()
    assert "501234567" not in caplog.text and "+994*******67" in caplog.text


@pytest.fixture
def sms_api():
    received: list[dict] = []
    status = {"code": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server naming
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"auth": self.headers.get("Authorization"), "body": json.loads(body)})
            self.send_response(status["code"])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send", received, status
    server.shutdown()


def test_http_gateway_posts_json_with_the_token(sms_api):
    url, received, status = sms_api
    gateway = create_gateway(Settings(sms_gateway="http", sms_gateway_url=url, sms_gateway_token="t0k"))
    assert isinstance(gateway, HttpGateway)
    asyncio.run(gateway.send("+994501234567", "DOST: test", purpose="help"))
    assert received == [{"auth": "Bearer t0k", "body": {"to": "+994501234567", "text": "DOST: test"}}]
    status["code"] = 500
    with pytest.raises(SmsSendError, match="500"):
        asyncio.run(gateway.send("+994501234567", "again", purpose="help"))


def test_http_gateway_unreachable_and_misconfigured():
    from dost_feedback.stack.processes import free_port

    gateway = HttpGateway(f"http://127.0.0.1:{free_port()}/send", None, timeout=2)
    with pytest.raises(SmsSendError, match="unreachable"):
        asyncio.run(gateway.send("+994501234567", "x", purpose="help"))
    with pytest.raises(ValueError, match="DOST_SMS_GATEWAY_URL"):
        create_gateway(Settings(sms_gateway="http"))
