"""Helpers shared by the on-call tests: Alertmanager-style payloads and real local servers."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from dost_feedback.stack.processes import free_port


def webhook_payload(status: str = "firing", receiver: str = "page@baku", n_alerts: int = 1, **labels: str) -> dict:
    """A notification as Alertmanager 0.25 sends it (webhook version 4)."""
    alert_labels = {
        "alertname": "CenterSatisfactionBelowTarget",
        "center_id": "baku-2",
        "region": "baku",
        "severity": "page",
        "window": "24h",
        **labels,
    }
    alert = {
        "status": status,
        "labels": alert_labels,
        "annotations": {
            "summary": f"DOST center {alert_labels.get('center_id')} is below its satisfaction target",
            "description": "ratio 0.9000 over 400 ratings, Wilson upper 0.9312 < target 0.985",
            "count": "400",
            "ratio": "0.9000",
            "wilson_upper": "0.9312",
            "target": "0.985",
            "dashboard_url": "http://grafana.example/d/dost-center?var-center_id=baku-2",
            "runbook_url": "docs/operations.md#center-satisfaction-page",
        },
        "startsAt": "2026-11-22T10:00:00.000Z",
        "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-22T11:00:00.000Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=...",
        "fingerprint": "a1b2c3d4e5f60718",
    }
    alerts = [alert] + [
        {**alert, "labels": {**alert_labels, "window": f"w{i}"}, "fingerprint": f"ff{i:02d}"} for i in range(1, n_alerts)
    ]
    return {
        "receiver": receiver,
        "status": status,
        "alerts": alerts,
        "groupLabels": {"alertname": alert_labels["alertname"], "center_id": alert_labels.get("center_id", "")},
        "commonLabels": alert_labels,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "version": "4",
        "groupKey": '{}:{alertname="CenterSatisfactionBelowTarget", center_id="baku-2"}',
        "truncatedAlerts": 0,
    }


@dataclass
class FlakyWebhookServer:
    """A real HTTP server on a free port that answers 500 to the first ``failures`` POSTs
    (all of them when ``failures`` is None), then 200. It records every body it got."""

    failures: int | None
    bodies: list[dict] = field(default_factory=list)
    attempts: int = 0

    def start(self, port: int | None = None) -> "FlakyWebhookServer":
        server_state = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with server_state._lock:
                    server_state.attempts += 1
                    failing = server_state.failures is None or server_state.attempts <= server_state.failures
                    if not failing:
                        server_state.bodies.append(json.loads(body))
                self.send_response(500 if failing else 200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._lock = threading.Lock()
        self.port = port or free_port()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
