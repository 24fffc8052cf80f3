"""The real ``dost-feedback`` command line, run as a subprocess on a fresh state directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from dost_contract.centers import load_registry
from dost_contract.settings import Settings, settings_env

CliRunner = Callable[..., subprocess.CompletedProcess]


def cli_env(settings: Settings, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a user's shell would give: ``settings`` as DOST_* variables, plus ``extra``.

    DOST_* variables of the shell running the tests are dropped, so none leaks into a command.
    """
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("DOST_")}
    return {**inherited, **settings_env(settings), **(extra or {})}


@pytest.fixture
def cli(tmp_path: Path) -> CliRunner:
    """``cli(*args, env=None, settings=None, text=True, timeout=60, **fields)`` runs ``dost-feedback ARGS``.

    The settings are ``Settings(state_dir=tmp_path, **fields)`` unless ``settings`` is given;
    ``env`` adds raw variables (for what Settings cannot express, like a broken value).
    """

    def run(*args: str, env: dict[str, str] | None = None, settings: Settings | None = None, text: bool = True,
            timeout: float = 60, **fields: object) -> subprocess.CompletedProcess:
        settings = settings or Settings(state_dir=tmp_path, **fields)
        return subprocess.run([sys.executable, "-m", "dost_feedback", *args], capture_output=True, text=text,
                              env=cli_env(settings, env), timeout=timeout)

    return run


@pytest.fixture(scope="session")
def known_centers() -> str:
    """The registry's open centers (planned ones aside), as an "unknown center" error lists them."""
    return ", ".join(load_registry(Settings(include_planned_centers=False)).ids())
