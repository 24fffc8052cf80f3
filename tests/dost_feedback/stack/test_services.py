"""The stack's service builders: each runs the CLI with the same settings, on its own ports and state."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from dost_contract.settings import Settings
from dost_feedback.stack import services
from dost_feedback.stack.processes import ServiceError, free_port


def settings(tmp_path: Path) -> Settings:
    return Settings(state_dir=tmp_path, worker_metrics_port=free_port(), web_port=free_port(),
                    sentiment_metrics_port=free_port())


def test_every_service_runs_the_cli_of_this_interpreter(tmp_path: Path):
    s = settings(tmp_path)
    assert services.cli_argv("web") == [sys.executable, "-m", "dost_feedback", "web"]
    assert services.web(s).argv == services.cli_argv("web")
    assert services.sentiment_worker(s).argv == services.cli_argv("sentiment-worker")
    assert services.simulator(s, ["--rate", "5"]).argv == services.cli_argv("simulate", "--rate", "5")
    assert services.logs_dir(s) == tmp_path / "run" / "logs"


def test_each_worker_gets_its_own_metrics_port_and_state(tmp_path: Path):
    s = settings(tmp_path)
    first, second = services.worker(s), services.worker(s, index=2)
    assert first.env["DOST_WORKER_METRICS_PORT"] == str(s.worker_metrics_port)
    assert second.env["DOST_WORKER_METRICS_PORT"] == str(s.worker_metrics_port + 1)
    assert first.env["DOST_WORKER_DATA_DIR"] == str(tmp_path / "worker-1")
    assert second.url == f"http://127.0.0.1:{s.worker_metrics_port + 1}/metrics"
    assert first.env["DOST_STATE_DIR"] == str(tmp_path)  # the child reads the same settings


def test_a_service_on_a_taken_port_is_refused(tmp_path: Path):
    s = settings(tmp_path)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", s.web_port))
        listener.listen()
        with pytest.raises(ServiceError, match=f"web: 127.0.0.1:{s.web_port} is already in use"):
            services.web(s)
