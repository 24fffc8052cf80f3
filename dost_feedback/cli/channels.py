"""Citizen channels: ``devices|clients add|list|revoke``, ``qr``, ``sms-parse`` and ``visit-completed``."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime, timezone
from typing import Optional, get_args

import typer
from pydantic import ValidationError

from dost_channels.clients import CLIENT_CHANNELS
from dost_contract.events import ServiceGroup
from dost_contract.phones import InvalidPhone
from dost_contract.settings import get_settings
from dost_contract.visits import VisitCompleted
from dost_feedback.cli.common import channel_store, fail, require_known_center
from dost_feedback.queue_system import publish_visits

devices_app = typer.Typer(help="Kiosk tablets and their device tokens.", no_args_is_help=True)
clients_app = typer.Typer(help="Integration API client keys (portal, queue system, simulator).",
                          no_args_is_help=True)


@devices_app.command("add")
def devices_add(
    center: str = typer.Option(..., "--center", help="The center the tablet stands in."),
    label: str = typer.Option("", help="A name for people, e.g. 'exit, left'."),
) -> None:
    """Register a kiosk tablet; prints its token and setup link once (only a hash is stored)."""
    require_known_center(center)
    device, token = channel_store().add_device(center, label)
    settings = get_settings()
    typer.echo(f"device_id: {device.device_id}")
    typer.echo(f"center:    {device.center_id}")
    typer.echo(f"token:     {token}")
    typer.echo(f"setup URL: {settings.public_url}/kiosk/{center}#token={token}")
    typer.echo("Open the setup URL once on the tablet. The token is not shown again.")


def _when(epoch: float | None) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ") if epoch else "-"


@devices_app.command("list")
def devices_list() -> None:
    """Every registered tablet (never its token)."""
    devices = channel_store().devices()
    if not devices:
        typer.echo("no devices")
        return
    typer.echo(f"{'device_id':<18} {'center':<18} {'status':<8} {'created':<21} {'revoked':<21} label")
    for d in devices:
        status = "revoked" if d.revoked_at else "active"
        typer.echo(f"{d.device_id:<18} {d.center_id:<18} {status:<8} {_when(d.created_at):<21} "
                   f"{_when(d.revoked_at):<21} {d.label}")


@devices_app.command("revoke")
def devices_revoke(device_id: str = typer.Argument(..., help="From 'devices list'.")) -> None:
    """Revoke a tablet's token at once: its next rating is refused with 401."""
    if not channel_store().revoke_device(device_id):
        fail(f"no active device {device_id!r} (see 'dost-feedback devices list')")
    typer.echo(f"revoked {device_id}")


@clients_app.command("add")
def clients_add(
    name: str = typer.Option(..., "--name", help="Who uses the key, e.g. 'e-gov portal'."),
    center: list[str] = typer.Option([], "--center", help="A center it may rate (repeat); default every center."),
    channel: list[str] = typer.Option(["web"], "--channel",
                                      help=f"A channel it may post (repeat): {', '.join(CLIENT_CHANNELS)}."),
) -> None:
    """Create an integration client key; prints it once (only a hash is stored)."""
    for center_id in center:
        require_known_center(center_id)
    try:
        client, key = channel_store().add_client(name, list(center) or None, list(channel))
    except ValueError as exc:
        fail(str(exc))
    typer.echo(f"client_id: {client.client_id}")
    typer.echo(f"centers:   {', '.join(client.centers) if client.centers else 'all'}")
    typer.echo(f"channels:  {', '.join(client.channels)}")
    typer.echo(f"key:       {key}")
    typer.echo("Send it as 'Authorization: Bearer <key>'. The key is not shown again.")


@clients_app.command("list")
def clients_list() -> None:
    """Every integration client and its scope (never its key)."""
    clients = channel_store().clients()
    if not clients:
        typer.echo("no clients")
        return
    typer.echo(f"{'client_id':<16} {'status':<8} {'created':<21} {'channels':<12} {'centers':<24} name")
    for c in clients:
        status = "revoked" if c.revoked_at else "active"
        centers = ",".join(c.centers) if c.centers else "all"
        typer.echo(f"{c.client_id:<16} {status:<8} {_when(c.created_at):<21} {','.join(c.channels):<12} "
                   f"{centers:<24} {c.name}")


@clients_app.command("revoke")
def clients_revoke(client_id: str = typer.Argument(..., help="From 'clients list'.")) -> None:
    """Revoke a client key at once: its next rating is refused with 401."""
    if not channel_store().revoke_client(client_id):
        fail(f"no active client {client_id!r} (see 'dost-feedback clients list')")
    typer.echo(f"revoked {client_id}")


def _require_service_group(service_group: str | None) -> None:
    if service_group is not None and service_group not in {g.value for g in ServiceGroup}:
        fail(f"unknown service group {service_group!r}; one of: {', '.join(g.value for g in ServiceGroup)}")


def sms_parse(text: str = typer.Argument(..., help="The SMS text, as a citizen would send it.")) -> None:
    """Parse an SMS reply; prints {"rating", "comment", "opt_out", "language"} as JSON."""
    from feedback_web.sms.parsing import parse_sms

    typer.echo(json.dumps(parse_sms(text).to_dict(), ensure_ascii=False))


def qr(
    center: str = typer.Option(..., "--center", help="The center that issues the ticket."),
    service_group: Optional[str] = typer.Option(None, help="The ticket's service group, if known."),
    fmt: str = typer.Option("svg", "--format", help="svg or png."),
    out: Optional[str] = typer.Option(None, help="File to write (default: stdout)."),
    scale: int = typer.Option(8, min=1, max=40, help="Pixels per QR module."),
) -> None:
    """Issue a one-time rating link for one visit and render its QR code for the ticket."""
    from feedback_web.qr import qr_url, render_qr

    if fmt not in ("svg", "png"):
        fail("--format must be svg or png")
    _require_service_group(service_group)
    require_known_center(center)
    settings = get_settings()
    token = channel_store().issue_qr_token(center, service_group, settings.qr_token_ttl_hours * 3600)
    url = qr_url(settings, token)
    image = render_qr(url, kind=fmt, scale=scale)
    if out:
        with open(out, "wb") as handle:
            handle.write(image)
        typer.echo(f"{url}\nwrote {out}", err=True)
    else:
        typer.echo(url, err=True)
        sys.stdout.buffer.write(image)
        sys.stdout.flush()


def visit_completed(
    center: str = typer.Option(..., "--center", help="Where the visit took place."),
    phone: str = typer.Option(..., help="The citizen's phone; it leaves this command only encrypted and hashed."),
    language: str = typer.Option("az", help="az, ru or en: the invitation's language."),
    service_group: Optional[str] = typer.Option(None, help="The visit's service group."),
    visit_id: Optional[str] = typer.Option(None, help="Default: a new UUID."),
) -> None:
    """Publish one visits.completed event (what the queue system does), e.g. to try SMS invitations."""
    require_known_center(center)
    _require_service_group(service_group)
    languages = get_args(VisitCompleted.model_fields["language"].annotation)
    if language not in languages:
        fail(f"--language must be one of {', '.join(languages)}; got {language!r}")
    settings = get_settings()
    try:
        visit = VisitCompleted.create(settings, center_id=center, phone=phone, language=language,
                                      service_group=service_group, visit_id=visit_id)
    except InvalidPhone:
        fail("--phone is not a phone number; give it like +994501234567 or 050 123 45 67")
    except ValidationError as exc:
        fail("; ".join(f"--{'-'.join(map(str, e['loc'])).replace('_', '-')}: {e['msg']}" for e in exc.errors()))
    try:
        asyncio.run(publish_visits(settings, [visit]))
    except Exception as exc:  # noqa: BLE001 - any broker failure is reported the same way
        fail(f"cannot publish to {settings.kafka_bootstrap_servers}: {exc!r}")
    typer.echo(f"published visit {visit.visit_id} for {center}")
