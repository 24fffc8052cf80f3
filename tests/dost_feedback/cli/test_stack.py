"""``dost-feedback stack up``: a port already taken stops it at once, naming the port, leaving nothing running."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path
from typing import Iterator

import pytest

from dost_feedback.stack.processes import free_port


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port that something listens on for the test's duration."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def processes_of(state_dir: Path) -> list[int]:
    """Pids of running processes started with DOST_STATE_DIR=state_dir (the stack's children inherit it)."""
    marker = f"DOST_STATE_DIR={state_dir}\0".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                if marker in (entry / "environ").read_bytes():
                    pids.append(int(entry.name))
            except OSError:  # gone meanwhile, or not ours to read
                continue
    return pids


@pytest.mark.parametrize("taken", ["kafka", "kafka controller"])
def test_stack_up_on_a_taken_port_names_it_and_starts_nothing(cli, tmp_path, taken_port, taken):
    other = free_port()
    kafka_port, controller_port = (taken_port, other) if taken == "kafka" else (other, taken_port)
    try:
        result = cli("stack", "up", "--no-simulator", kafka_bootstrap_servers=f"127.0.0.1:{kafka_port}",
                     kafka_controller_port=controller_port, timeout=120)
        leftovers = processes_of(tmp_path)
    finally:
        for pid in processes_of(tmp_path):  # only if the test fails: what this test's command started
            os.kill(pid, signal.SIGKILL)
    assert result.returncode == 1
    assert result.stdout == f"state and logs under {tmp_path}\nstarting kafka ...\n"
    assert result.stderr == (f"error: {taken}: 127.0.0.1:{taken_port} is already in use (another {taken}?); "
                             "stop it or choose another port through the DOST_ settings\n")
    assert leftovers == [], "stack up left child processes running"
