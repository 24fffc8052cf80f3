"""``dost-feedback dashboards push`` (monitoring/dashboards/push.py).

No Grafana server can be installed on these machines (see the README), so the HTTP
behaviour runs against ``GrafanaApiStandIn``: a small local HTTP server that implements
*only* the four Grafana HTTP API endpoints the push uses, with Grafana's documented
request and response shapes and its 401/403/404 answers. It is a stand-in for Grafana's
API, not Grafana: it checks our client's requests and our reporting, not Grafana's own
behaviour. The unreachable cases are real: a free port with nothing listening, a name
that does not resolve, and a listening socket that never answers.
"""

from __future__ import annotations

import copy
import json
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

from dost_contract.settings import PROJECT_ROOT
from dost_feedback.stack.processes import free_port
from monitoring.dashboards.files import DASHBOARDS_DIR
from monitoring.dashboards.push import (
    GrafanaPushError,
    PushResult,
    classify,
    comparable,
    format_report,
    load_dashboards,
    parse_grafana_url,
    push_dashboards,
)

EDITOR_TOKEN = "editor-token"
VIEWER_TOKEN = "viewer-token"


class GrafanaApiStandIn:
    """Stand-in for Grafana's HTTP API: GET/POST /api/folders, GET /api/dashboards/uid/<uid>,
    POST /api/dashboards/db. Bearer tokens: EDITOR_TOKEN may write, VIEWER_TOKEN only read
    (writes answer 403), anything else answers 401 like Grafana's invalid-API-key response."""

    def __init__(self) -> None:
        self.folders: list[dict[str, Any]] = []
        self.dashboards: dict[str, dict[str, Any]] = {}  # uid -> {"dashboard", "folderUid"}
        self.writes: list[str] = []  # paths of successful POSTs
        self.next_id = 1
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _role(self) -> str | None:
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                return {EDITOR_TOKEN: "Editor", VIEWER_TOKEN: "Viewer"}.get(token)

            def do_GET(self) -> None:
                if self._role() is None:
                    return self._send(401, {"message": "Invalid API key"})
                if self.path == "/api/folders":
                    return self._send(200, stand_in.folders)
                if self.path.startswith("/api/dashboards/uid/"):
                    stored = stand_in.dashboards.get(self.path.rsplit("/", 1)[1])
                    if stored is None:
                        return self._send(404, {"message": "Dashboard not found"})
                    return self._send(200, {"dashboard": stored["dashboard"],
                                            "meta": {"folderUid": stored["folderUid"]}})
                self._send(404, {"message": "Not found"})

            def do_POST(self) -> None:
                role = self._role()
                if role is None:
                    return self._send(401, {"message": "Invalid API key"})
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if role != "Editor":
                    return self._send(403, {"message": "You'll need additional permissions to perform this action."})
                if self.path == "/api/folders":
                    folder = {"id": stand_in._id(), "uid": body["uid"], "title": body["title"]}
                    stand_in.folders.append(folder)
                    stand_in.writes.append(self.path)
                    return self._send(200, folder)
                if self.path == "/api/dashboards/db":
                    model = copy.deepcopy(body["dashboard"])
                    previous = stand_in.dashboards.get(model["uid"])
                    model["id"] = previous["dashboard"]["id"] if previous else stand_in._id()
                    model["version"] = previous["dashboard"]["version"] + 1 if previous else 1
                    stand_in.dashboards[model["uid"]] = {"dashboard": model, "folderUid": body.get("folderUid")}
                    stand_in.writes.append(self.path)
                    return self._send(200, {"id": model["id"], "uid": model["uid"], "status": "success",
                                            "version": model["version"]})
                self._send(404, {"message": "Not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def grafana_api() -> Iterator[GrafanaApiStandIn]:
    stand_in = GrafanaApiStandIn()
    yield stand_in
    stand_in.close()


@pytest.fixture(scope="module")
def dashboards() -> list[dict[str, Any]]:
    return load_dashboards(DASHBOARDS_DIR)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dost_feedback", "dashboards", "push", *args],
                          capture_output=True, text=True, timeout=60, cwd=PROJECT_ROOT)


# --- pure logic ---------------------------------------------------------------------------


def test_classify_ignores_the_keys_grafana_assigns():
    local = {"uid": "u", "title": "T", "panels": []}
    assert classify(local, None, None, "dost") == "created"
    assert classify(local, {**local, "id": 7, "version": 3}, "dost", "dost") == "unchanged"
    assert classify(local, {**local, "title": "Old"}, "dost", "dost") == "updated"
    assert classify(local, {**local, "id": 7}, "general", "dost") == "updated"  # moved folder
    assert comparable({"id": 1, "version": 2, "uid": "u"}) == {"uid": "u"}


def test_report_lists_each_dashboard_and_the_totals():
    results = [PushResult("dost-center", "Center drill-down", "created"),
               PushResult("dost-network", "DOST network overview", "unchanged")]
    report = format_report(results, "DOST", dry_run=False).splitlines()
    assert report[0].split() == ["created", "dost-center", "Center", "drill-down"]
    assert report[-1] == "2 dashboards in folder 'DOST': 1 created, 0 updated, 1 unchanged"
    dry = format_report(results, "DOST", dry_run=True)
    assert dry.startswith("would create") and dry.endswith("(dry run: nothing written)")


def test_grafana_url_parts():
    assert parse_grafana_url("https://grafana.example.az/monitor/") == {
        "host": "grafana.example.az", "port": None, "protocol": "https", "url_path_prefix": "monitor/"}
    assert parse_grafana_url("http://127.0.0.1:3000")["port"] == 3000
    for bad in ("grafana:3000", "ftp://x", "http://"):
        with pytest.raises(GrafanaPushError, match="--url"):
            parse_grafana_url(bad)


# --- against the stand-in API -------------------------------------------------------------


def test_push_creates_then_reports_unchanged_then_updated(grafana_api, dashboards):
    first = push_dashboards(grafana_api.url, EDITOR_TOKEN, dashboards, "DOST")
    assert [r.change for r in first] == ["created"] * len(dashboards)
    assert grafana_api.folders == [{"id": 2, "uid": "dost", "title": "DOST"}]
    assert {uid: d["folderUid"] for uid, d in grafana_api.dashboards.items()} == {
        d["uid"]: "dost" for d in dashboards}
    writes = len(grafana_api.writes)

    again = push_dashboards(grafana_api.url, EDITOR_TOKEN, dashboards, "DOST")
    assert [r.change for r in again] == ["unchanged"] * len(dashboards)
    assert len(grafana_api.writes) == writes, "an unchanged dashboard must not be written"

    edited = [copy.deepcopy(d) for d in dashboards]
    edited[0]["panels"][0]["title"] += " (edited)"
    third = push_dashboards(grafana_api.url, EDITOR_TOKEN, edited, "DOST")
    assert [r.change for r in third] == ["updated"] + ["unchanged"] * (len(dashboards) - 1)
    stored = grafana_api.dashboards[edited[0]["uid"]]["dashboard"]
    assert stored["version"] == 2 and comparable(stored) == edited[0]


def test_dry_run_writes_nothing(grafana_api, dashboards):
    results = push_dashboards(grafana_api.url, EDITOR_TOKEN, dashboards, "DOST", dry_run=True)
    assert [r.change for r in results] == ["created"] * len(dashboards)
    assert grafana_api.writes == [] and grafana_api.dashboards == {} and grafana_api.folders == []


def test_cli_push_reports_each_dashboard(grafana_api, dashboards):
    result = run_cli("--url", grafana_api.url, "--token", EDITOR_TOKEN)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sorted(line.split()[1] for line in lines[:-1]) == sorted(d["uid"] for d in dashboards)
    assert all(line.startswith("created ") for line in lines[:-1])
    assert lines[-1] == f"{len(dashboards)} dashboards in folder 'DOST': {len(dashboards)} created, 0 updated, 0 unchanged"


def test_bad_token_is_a_clear_error(grafana_api, dashboards):
    with pytest.raises(GrafanaPushError, match=r"rejected the token \(401 Unauthorized\)"):
        push_dashboards(grafana_api.url, "wrong", dashboards, "DOST")
    result = run_cli("--url", grafana_api.url, "--token", "wrong")
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: Grafana at {grafana_api.url} rejected the token (401 Unauthorized): check --token"
    assert "Traceback" not in result.stderr + result.stdout


def test_read_only_token_is_a_clear_error(grafana_api, dashboards):
    grafana_api.folders.append({"id": 1, "uid": "dost", "title": "DOST"})
    with pytest.raises(GrafanaPushError, match=r"403 Forbidden"):
        push_dashboards(grafana_api.url, VIEWER_TOKEN, dashboards, "DOST")
    assert grafana_api.dashboards == {}


# --- unreachable, for real ----------------------------------------------------------------


def test_unreachable_grafana_is_a_clear_error_without_traceback(dashboards):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(GrafanaPushError, match="connection refused"):
        push_dashboards(url, EDITOR_TOKEN, dashboards, "DOST")
    result = run_cli("--url", url, "--token", EDITOR_TOKEN)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: cannot reach Grafana at {url}: connection refused (nothing listening there)"
    assert "Traceback" not in result.stderr + result.stdout


def test_unresolvable_host_is_a_clear_error(dashboards):
    with pytest.raises(GrafanaPushError, match=r"does not resolve \(DNS\)"):
        push_dashboards("http://grafana.invalid:3000", EDITOR_TOKEN, dashboards, "DOST")  # RFC 2606: never resolves


def test_grafana_that_never_answers_times_out(dashboards):
    with socket.socket() as sock:  # listens (the kernel completes the handshake) but never replies
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with pytest.raises(GrafanaPushError, match="did not answer within 0.5 s"):
            push_dashboards(url, EDITOR_TOKEN, dashboards, "DOST", timeout=0.5)
