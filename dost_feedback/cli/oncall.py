"""On-call routing: ``oncall log``, ``oncall retry`` and ``oncall check``."""

from __future__ import annotations

import time

import typer

from dost_channels.db.engine import SchemaBehindError
from dost_contract.centers import RegistryError
from dost_contract.settings import get_settings
from dost_contract.settings.profiles import SEVERITIES
from dost_feedback.cli.common import fail
from monitoring.alerting.alertmanager_config import receiver_name
from monitoring.oncall.config import OncallConfigError, route_channels
from monitoring.oncall.log import format_log
from monitoring.oncall.outbox import Outbox
from monitoring.oncall.retry import RetryPolicy

oncall_app = typer.Typer(help="On-call routing: the sent log and the channel config.", no_args_is_help=True)


def _outbox() -> Outbox:
    settings = get_settings()
    if settings.database_url is None and not settings.oncall_db_path.exists():
        fail(f"no on-call outbox at {settings.oncall_db_path}: the receiver has not run with this DOST_STATE_DIR")
    try:
        return Outbox(settings.oncall_database)
    except SchemaBehindError as exc:
        fail(str(exc))


@oncall_app.command("log")
def oncall_log(
    failed: bool = typer.Option(False, "--failed", help="Only deliveries that failed after the last attempt."),
    pending: bool = typer.Option(False, "--pending", help="Only deliveries still being retried."),
    limit: int = typer.Option(50, min=1, help="Newest deliveries to show."),
) -> None:
    """What the on-call receiver sent, is retrying, or gave up on (newest first)."""
    state = "failed" if failed else "pending" if pending else None
    outbox = _outbox()
    try:
        typer.echo(format_log(outbox.log(state=state, limit=limit), outbox.counts()))
    finally:
        outbox.close()


@oncall_app.command("retry")
def oncall_retry(
    delivery_ids: list[int] = typer.Argument(None, help="Failed delivery ids (from `oncall log --failed`)."),
    all_failed: bool = typer.Option(False, "--all-failed", help="Requeue every failed delivery."),
) -> None:
    """Send failed on-call deliveries again, with a fresh retry schedule (once the channel is fixed)."""
    if not delivery_ids and not all_failed:
        fail("name the failed delivery ids to retry (see `dost-feedback oncall log --failed`), or pass --all-failed")
    if delivery_ids and all_failed:
        fail("give delivery ids or --all-failed, not both")
    outbox = _outbox()
    try:
        requeued = outbox.requeue_failed(None if all_failed else list(delivery_ids), time.time())
    finally:
        outbox.close()
    skipped = sorted(set(delivery_ids or []) - set(requeued))
    if skipped:
        typer.echo(f"not failed (sent, still pending or unknown), left alone: {', '.join(map(str, skipped))}", err=True)
    if not requeued:
        fail("no failed delivery was requeued")
    typer.echo(
        f"requeued {len(requeued)} deliveries: {', '.join(map(str, requeued))}; "
        "the running receiver sends them within a few seconds"
    )


@oncall_app.command("check")
def oncall_check() -> None:
    """Validate the on-call config (DOST_ONCALL_CONFIG_FILE) and print each route's channels."""
    from monitoring.oncall.receiver import load_app_oncall_config

    settings = get_settings()
    try:
        config = load_app_oncall_config(settings)
    except (OncallConfigError, RegistryError) as exc:
        fail(str(exc))
    typer.echo(f"{settings.oncall_config_file}: OK")
    for severity in SEVERITIES:
        typer.echo(f"  {severity:<8} -> {', '.join(route_channels(config, severity, None))}")
    for route in config.routes:
        if route.region:
            typer.echo(f"  {receiver_name(route.severity, route.region)} -> {', '.join(route.channels)}")
    typer.echo(f"  (no severity) -> {', '.join(config.default_channels)}")
    waits = ", ".join(f"{delay:g}s" for delay in RetryPolicy.from_settings(settings).schedule())
    typer.echo(f"retries: {settings.oncall_max_attempts} attempts, waits {waits or 'none'}")
