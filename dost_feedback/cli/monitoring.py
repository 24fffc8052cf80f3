"""``dost-feedback monitoring rules --out DIR [--grafana-out DIR]``: the production alert
rules with this deployment's dashboard links (DOST_GRAFANA_URL), for Prometheus to load and,
with ``--grafana-out``, the Grafana-managed copy for Grafana's alerting provisioning."""

from __future__ import annotations

from pathlib import Path

import typer

from dost_contract.settings import get_settings

monitoring_app = typer.Typer(help="Monitoring configs for a deployment.", no_args_is_help=True)


def write_atomically(target: Path, text: str) -> None:
    """Write through a partial file and a rename: a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)


@monitoring_app.command("rules")
def rules(
    out: Path = typer.Option(..., help="Directory to write satisfaction.rules.yml into."),
    grafana_out: Path | None = typer.Option(
        None, help="Also write the Grafana-managed rules (dost-alert-rules.yml) into this directory: "
        "Grafana's provisioning/alerting."),
) -> None:
    """Write the shipped rules, their dashboard links under DOST_GRAFANA_URL (and runbook
    links under DOST_RUNBOOK_BASE_URL), into OUT (and GRAFANA_OUT)."""
    from monitoring.alerting.local_configs import RULES_FILE_NAME
    from monitoring.alerting.shipped import deployed_rules_yaml

    settings = get_settings()
    target = out / RULES_FILE_NAME
    write_atomically(target, deployed_rules_yaml(settings))
    typer.echo(f"wrote {target}")
    if grafana_out is not None:
        from monitoring.dashboards.files import ALERT_RULES_FILE, deployed_alert_rules_yaml

        grafana_target = grafana_out / ALERT_RULES_FILE.name
        write_atomically(grafana_target, deployed_alert_rules_yaml(settings))
        typer.echo(f"wrote {grafana_target}")
