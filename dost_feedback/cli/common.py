"""What every command shares: failing with one clear line, logging, the registry and the store."""

from __future__ import annotations

import logging
from typing import NoReturn

import typer

from dost_channels.db.engine import SchemaBehindError
from dost_channels.store import ChannelStore
from dost_contract.centers import RegistryError, load_registry
from dost_contract.settings import get_settings


def fail(message: str) -> NoReturn:
    """Print ``error: message`` in red on stderr and exit 1."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def channel_store() -> ChannelStore:
    try:
        return ChannelStore(get_settings().channels_database)
    except SchemaBehindError as exc:
        fail(str(exc))


def require_known_center(center_id: str) -> None:
    """Exit with the known centers listed unless ``center_id`` is in the registry."""
    try:
        registry = load_registry(get_settings())
    except RegistryError as exc:
        fail(str(exc))
    if center_id not in registry:
        fail(f"unknown center {center_id!r}; known: {', '.join(registry.ids())}")
