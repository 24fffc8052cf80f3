"""Child processes of the local stack: readiness, a clear error when one dies or hangs, clean stops."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from dost_feedback.stack.processes import (
    Service,
    ServiceError,
    Supervisor,
    free_port,
    http_ok,
    port_is_open,
    require_free_port,
)


def http_server(tmp_path: Path, name: str = "files") -> Service:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    return Service(name=name, argv=[sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                   log_path=tmp_path / "logs" / f"{name}.log", ready=lambda: http_ok(url + "/"), cwd=tmp_path, url=url)


def test_a_service_is_started_until_ready_then_stopped(tmp_path: Path):
    service = http_server(tmp_path).start(timeout=20)
    try:
        assert service.running and http_ok(service.url + "/")
    finally:
        service.stop()
    assert not service.running
    assert not http_ok(service.url + "/")


def test_a_service_that_exits_while_starting_names_itself_and_shows_its_log(tmp_path: Path):
    service = Service(name="broken", argv=[sys.executable, "-c", "print('no config file'); raise SystemExit(3)"],
                      log_path=tmp_path / "broken.log", ready=lambda: False)
    with pytest.raises(ServiceError, match=r"(?s)broken exited with code 3 while starting.*no config file"):
        service.start(timeout=20)


def test_a_service_that_never_gets_ready_is_stopped_and_reported(tmp_path: Path):
    service = Service(name="slow", argv=[sys.executable, "-c", "import time; time.sleep(60)"],
                      log_path=tmp_path / "slow.log", ready=lambda: False)
    with pytest.raises(ServiceError, match="slow was not ready within 1s"):
        service.start(timeout=1)
    assert not service.running


def test_the_supervisor_stops_in_reverse_order_and_reports_the_dead(tmp_path: Path):
    supervisor = Supervisor()
    first = supervisor.start(http_server(tmp_path, "first"), timeout=20)
    second = supervisor.start(http_server(tmp_path, "second"), timeout=20)
    try:
        assert supervisor.dead() == []
        second.kill()  # as a crash would
        assert supervisor.dead() == [second]
    finally:
        supervisor.stop_all()
    assert not first.running and supervisor.services == []


def test_a_taken_port_is_refused_before_anything_starts():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert port_is_open("127.0.0.1", port)
        with pytest.raises(ServiceError, match=f"prometheus: 127.0.0.1:{port} is already in use"):
            require_free_port("prometheus", "127.0.0.1", port)
    require_free_port("prometheus", "127.0.0.1", port)  # free again
    assert not port_is_open("127.0.0.1", free_port())
