"""Kafka topics: ``topics create``."""

from __future__ import annotations

import typer

from dost_contract.settings import get_settings
from dost_feedback.cli.common import fail
from streams.topic_setup import TopicSetupError, create_topics

topics_app = typer.Typer(help="Kafka topics.", no_args_is_help=True)


@topics_app.command("create")
def topics_create() -> None:
    """Create the contract's topics and the workers' changelog topics (idempotent)."""
    try:
        created = create_topics(get_settings())
    except TopicSetupError as exc:
        fail(str(exc))
    typer.echo(f"created: {', '.join(created) or 'none (all exist)'}")
