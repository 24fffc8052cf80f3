"""The worker's ``/metrics``: the window gauges rendered once per snapshot, the rest at each scrape.

The window collector (``streams.metrics.SatisfactionCollector``) holds most of the worker's
samples (72 centers x service groups x 4 windows x 3 gauges: about 10,000) and changes only
when a refresh swaps its snapshot, once a second at most. Formatting them is what a scrape
costs (about 0.1 s of CPU each at 72 centers, taken from the worker's one core). So its text
is kept per (snapshot, format) and appended to the rest of the registry, rendered as
prometheus_client renders it. Two scrapers (an HA Prometheus pair, a benchmark polling twice
a second) then cost one rendering per refresh, not one per scrape.
"""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client.exposition import ThreadingWSGIServer, choose_encoder, generate_latest, gzip_accepted
from prometheus_client.metrics_core import Metric
from prometheus_client.utils import floatToGoString

from streams.metrics import SatisfactionCollector, SatisfactionSnapshot, snapshot_families

OPENMETRICS_EOF = b"# EOF\n"


class _Families:
    """A one-off collector over fixed families (what an encoder renders)."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


def _escape(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r'\"')


def render_plain_gauges(families: Iterable[Metric]) -> bytes:
    """``generate_latest`` (text format 0.0.4) of gauge families whose metric and label names are
    valid Prometheus names, byte for byte, without its per-label name validation and escaping
    (three times the cost of the rest; tests/streams/test_exposition.py compares the two)."""
    out = []
    for metric in families:
        if metric.type != "gauge":
            raise ValueError(f"{metric.name}: only gauges, not {metric.type}")
        help_text = metric.documentation.replace("\\", r"\\").replace("\n", r"\n")
        out.append(f"# HELP {metric.name} {help_text}\n# TYPE {metric.name} gauge\n")
        for sample in metric.samples:
            if sample.labels:
                labels = ",".join(f'{name}="{_escape(value)}"' for name, value in sorted(sample.labels.items()))
                out.append(f"{sample.name}{{{labels}}} {floatToGoString(sample.value)}\n")
            else:
                out.append(f"{sample.name} {floatToGoString(sample.value)}\n")
    return "".join(out).encode("utf-8")


class CachedExposition:
    def __init__(self, registry, collector: SatisfactionCollector) -> None:
        self.registry = registry  # everything but the window collector
        self.collector = collector
        self._cached: tuple[SatisfactionSnapshot, str, bytes] | None = None
        self.renderings = 0  # of the window gauges

    def render(self, accept_header: str | None) -> tuple[bytes, str]:
        """The body and content type a scrape with this ``Accept`` header gets."""
        encoder, content_type = choose_encoder(accept_header or "")
        rest = encoder(self.registry)
        snapshot = self.collector.snapshot
        cached = self._cached
        if cached is None or cached[0] is not snapshot or cached[1] != content_type:
            families = list(snapshot_families(snapshot))
            windows = render_plain_gauges(families) if encoder is generate_latest else encoder(_Families(families))
            windows = windows.removesuffix(OPENMETRICS_EOF)
            cached = self._cached = (snapshot, content_type, windows)
            self.renderings += 1
        if rest.endswith(OPENMETRICS_EOF):  # OpenMetrics ends with one EOF, after every family
            return rest[: -len(OPENMETRICS_EOF)] + cached[2] + OPENMETRICS_EOF, content_type
        return rest + cached[2], content_type

    def wsgi_app(self, environ: dict, start_response: Callable) -> list[bytes]:
        if environ["REQUEST_METHOD"] != "GET":
            start_response("405 Method Not Allowed", [("Allow", "GET")])
            return [b"# use GET\n"]
        body, content_type = self.render(environ.get("HTTP_ACCEPT"))
        headers = [("Content-Type", content_type)]
        if gzip_accepted(environ.get("HTTP_ACCEPT_ENCODING", "")):
            body = gzip.compress(body, compresslevel=1)
            headers.append(("Content-Encoding", "gzip"))
        start_response("200 OK", headers)
        return [body]


class _SilentHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:  # a scrape is not news
        pass


def start_metrics_server(exposition: CachedExposition, port: int, addr: str) -> ThreadingWSGIServer:
    """Serve ``exposition`` on addr:port from a daemon thread (as prometheus_client's start_http_server)."""
    family = socket.getaddrinfo(addr, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]

    class Server(ThreadingWSGIServer):
        address_family = family

    httpd = make_server(addr, port, exposition.wsgi_app, Server, handler_class=_SilentHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True, name="metrics").start()
    return httpd
