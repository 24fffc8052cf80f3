"""Starting and stopping the local services as child processes.

Used by ``dost-feedback stack up`` and by the test fixtures, so tests start the real
services exactly the way a newcomer's stack does.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence


class ServiceError(RuntimeError):
    """A service did not start or died; the message names it and points at its log."""


def port_is_open(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_free_port(name: str, host: str, port: int) -> None:
    """Refuse to start where something already listens, so a stray service is never mistaken for ours."""
    if port_is_open(host, port):
        raise ServiceError(
            f"{name}: {host}:{port} is already in use (another {name}?); "
            f"stop it or choose another port through the DOST_ settings"
        )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def http_ok(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log written)"


@dataclass
class Service:
    """One child process with its own log file and a readiness check."""

    name: str
    argv: Sequence[str]
    log_path: Path
    ready: Callable[[], bool]
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    url: str | None = None
    process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> "Service":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        # A new session per service so Ctrl-C in the terminal reaches only the
        # supervisor, which then stops the services in reverse order.
        self.process = subprocess.Popen(
            list(self.argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self.env},
            cwd=self.cwd,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServiceError(
                    f"{self.name} exited with code {self.process.returncode} while starting; "
                    f"log {self.log_path}:\n{tail(self.log_path)}"
                )
            if self.ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise ServiceError(
            f"{self.name} was not ready within {timeout:.0f}s; log {self.log_path}:\n{tail(self.log_path)}"
        )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        if not self.running:
            return
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.running:
            assert self.process is not None
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


class Supervisor:
    """Starts services in dependency order and stops them in reverse."""

    def __init__(self) -> None:
        self.services: list[Service] = []

    def start(self, service: Service, timeout: float = 60.0) -> Service:
        service.start(timeout=timeout)
        self.services.append(service)
        return service

    def dead(self) -> list[Service]:
        return [s for s in self.services if not s.running]

    def stop_all(self) -> None:
        for service in reversed(self.services):
            service.stop()
        self.services.clear()
