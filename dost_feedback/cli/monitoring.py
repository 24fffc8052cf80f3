"""``dost-feedback monitoring rules --out DIR``: the production alert rules with this
deployment's dashboard links (DOST_GRAFANA_URL), for Prometheus to load."""

from __future__ import annotations

from pathlib import Path

import typer

from dost_contract.settings import get_settings

monitoring_app = typer.Typer(help="Monitoring configs for a deployment.", no_args_is_help=True)


@monitoring_app.command("rules")
def rules(out: Path = typer.Option(..., help="Directory to write satisfaction.rules.yml into.")) -> None:
    """Write the shipped rules, their dashboard links under DOST_GRAFANA_URL (and runbook
    links under DOST_RUNBOOK_BASE_URL), into OUT."""
    from monitoring.alerting.local_configs import RULES_FILE_NAME
    from monitoring.alerting.shipped import deployed_rules_yaml

    out.mkdir(parents=True, exist_ok=True)
    target = out / RULES_FILE_NAME
    partial = out / f".{RULES_FILE_NAME}.partial"
    partial.write_text(deployed_rules_yaml(get_settings()), encoding="utf-8")
    partial.replace(target)  # Prometheus never reads half a file
    typer.echo(f"wrote {target}")
