"""``stack up``: the whole local stack with simulated traffic (``dost_feedback.stack.local``)."""

from __future__ import annotations

from typing import List

import typer

from dost_contract.settings import get_settings
from dost_feedback.cli.common import fail
from dost_feedback.stack.local import STARTUP_ERRORS, LocalStack, Simulation, interrupt_on_signals

stack_app = typer.Typer(help="The whole local stack.", no_args_is_help=True)


@stack_app.command("up")
def stack_up(
    rate: float = typer.Option(20.0, min=0.1, help="Simulated ratings per second."),
    degrade: List[str] = typer.Option(
        ["baku-3=0.90"], help="CENTER=RATIO for the simulator, so an alert fires within a minute."
    ),
    no_simulator: bool = typer.Option(False, help="Start the services without simulated traffic."),
) -> None:
    """Start Kafka, the worker, the web, the on-call receiver, Alertmanager, Prometheus and the simulator.

    Ctrl-C stops everything cleanly, in reverse order.
    """
    headline = lambda text: typer.secho(text, fg=typer.colors.GREEN, bold=True)  # noqa: E731
    with interrupt_on_signals(), LocalStack(get_settings(), echo=typer.echo, headline=headline) as stack:
        try:
            stack.start(None if no_simulator else Simulation(rate, degrade))
            stack.print_endpoints()
            stack.watch()
        except KeyboardInterrupt:
            typer.echo("\nstopping ...")
        except STARTUP_ERRORS as exc:
            fail(str(exc))
    typer.echo("stopped.")
