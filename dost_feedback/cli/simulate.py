"""``simulate``: realistic ratings from the registry's centers, through the web or straight to Kafka."""

from __future__ import annotations

import asyncio
from typing import List, Optional

import typer
from aiokafka.errors import KafkaError

from dost_contract.centers import RegistryError, load_registry
from dost_contract.settings import get_settings
from dost_feedback.cli.common import fail
from dost_feedback.simulator import SimulationStats, run_simulation
from dost_simulation.ratings import parse_degradations


def simulate(
    via: str = typer.Option("web", help="'web' posts to the API; 'kafka' produces straight to feedback.submitted."),
    rate: float = typer.Option(10.0, min=0.1, help="Ratings per second across all centers."),
    count: Optional[int] = typer.Option(None, min=1, help="Stop after this many ratings."),
    duration: Optional[float] = typer.Option(None, min=0.1, help="Stop after this many seconds."),
    satisfaction: float = typer.Option(0.99, min=0.0, max=1.0, help="Satisfaction of healthy centers."),
    degrade: List[str] = typer.Option([], help="CENTER=RATIO: run a center at this satisfaction; repeatable."),
    seed: Optional[int] = typer.Option(None, help="Random seed, for a repeatable run."),
    web_url: Optional[str] = typer.Option(None, help="Web base URL (default from DOST_WEB_HOST/PORT)."),
    planned: bool = typer.Option(False, help="Include the planned network's centers."),
    client_key: Optional[str] = typer.Option(None, envvar="DOST_CLIENT_KEY", show_envvar=True,
                                             help="The integration client key --via web posts with."),
) -> None:
    """Send realistic ratings from the registry's centers; runs until stopped unless --count/--duration."""
    if via not in ("web", "kafka"):
        fail("--via must be 'web' or 'kafka'")
    settings = get_settings()
    try:
        registry = load_registry(settings, include_planned=planned or None)
        degraded = parse_degradations(degrade, registry.ids())
    except (RegistryError, ValueError) as exc:
        fail(str(exc))
    client_key = client_key or (settings.client_key.get_secret_value() if settings.client_key else None)
    if via == "web" and not client_key:
        fail("--via web needs an integration client key (--client-key or DOST_CLIENT_KEY); make one with "
             "'dost-feedback clients add --name simulator --channel web --channel kiosk'")
    web_url = web_url or f"http://{settings.web_host}:{settings.web_port}"
    target = web_url if via == "web" else settings.kafka_bootstrap_servers
    typer.echo(
        f"simulating {len(registry)} centers at {rate:g} ratings/s via {via} ({target}); "
        f"healthy satisfaction {satisfaction:.3f}"
        + "".join(f"; {c} degraded to {r:.3f}" for c, r in degraded.items())
    )

    def progress(stats: SimulationStats) -> None:
        typer.echo(
            f"sent {stats.sent}, accepted {stats.accepted}, retried {stats.retried}, rejected {stats.rejected}"
            + (f"; last error: {stats.errors[-1]}" if stats.errors else "")
        )

    try:
        stats = asyncio.run(
            run_simulation(
                settings, registry, via=via, rate=rate, count=count, duration=duration,
                baseline_satisfaction=satisfaction, degraded=degraded, seed=seed,
                web_url=web_url, progress=progress, client_key=client_key,
            )
        )
    except KeyboardInterrupt:
        raise typer.Exit(code=130) from None
    except (OSError, KafkaError) as exc:
        fail(f"cannot reach {target}: {exc}")
    if stats.rejected:
        fail(f"{stats.rejected} ratings were rejected; first error: {stats.errors[0]}")
