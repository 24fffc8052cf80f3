"""Grafana dashboards: ``dashboards push``."""

from __future__ import annotations

from typing import Optional

import typer

from dost_contract.settings import get_settings
from dost_feedback.cli.common import fail

dashboards_app = typer.Typer(help="Grafana dashboards (monitoring/grafana/dashboards).", no_args_is_help=True)


@dashboards_app.command("push")
def dashboards_push(
    url: Optional[str] = typer.Option(None, help="Grafana base URL (default: the DOST_GRAFANA_URL setting)."),
    token: str = typer.Option(
        ..., envvar="DOST_GRAFANA_TOKEN", help="Grafana service-account token (Editor role); or DOST_GRAFANA_TOKEN."
    ),
    folder: Optional[str] = typer.Option(None, help="Grafana folder title (default: the DOST_GRAFANA_FOLDER setting, DOST)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would change; write nothing."),
) -> None:
    """Upload the committed dashboards (monitoring/grafana/dashboards/*.json) to Grafana.

    Reports each as created, updated or unchanged. Exit status 1 with a one-line error when
    Grafana is unreachable or refuses the token.
    """
    from monitoring.dashboards.files import DASHBOARDS_DIR
    from monitoring.dashboards.push import GrafanaPushError, format_report, load_dashboards, push_dashboards

    settings = get_settings()
    url = url or settings.grafana_url
    folder = folder or settings.grafana_folder
    try:
        results = push_dashboards(
            url, token, load_dashboards(DASHBOARDS_DIR), folder,
            dry_run=dry_run, timeout=settings.grafana_api_timeout_seconds,
        )
    except GrafanaPushError as error:
        fail(str(error))
    typer.echo(format_report(results, folder, dry_run))
