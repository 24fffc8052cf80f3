"""``dost-feedback retention run``: delete what is past retention, once or periodically."""

from __future__ import annotations

import json
import logging
import sys
import time

import typer

from dost_contract.settings import get_settings
from dost_feedback.cli.common import configure_logging

retention_app = typer.Typer(help="Delete records past their retention (docs/operations.md#retention).",
                            no_args_is_help=True)
log = logging.getLogger("dost.retention")


@retention_app.command("run")
def run(
    every: float = typer.Option(None, min=1, help="Keep running, once every this many seconds (default: run once)."),
    periodic: bool = typer.Option(False, "--periodic", help="Keep running, every DOST_RETENTION_INTERVAL_SECONDS."),
) -> None:
    """Delete invitations, QR tokens, on-call outbox rows and log lines past retention; print what went (JSON)."""
    from dost_feedback.retention import run_retention

    settings = get_settings()
    configure_logging()
    if periodic and every is None:
        every = settings.retention_interval_seconds
    while True:
        report = run_retention(settings).as_dict()
        typer.echo(json.dumps(report))
        sys.stdout.flush()
        log.info("retention: deleted %s", report)
        if every is None:
            return
        time.sleep(every)
