"""``dost-feedback users add|list|link|token|disable``: the managers' accounts (``/manage``)."""

from __future__ import annotations

import typer

from dost_channels.db.engine import SchemaBehindError
from dost_channels.users import ManagerUsers, User, UserError
from dost_contract.centers import RegistryError, load_registry
from dost_contract.settings import get_settings
from dost_feedback.cli.common import fail, require_known_center

users_app = typer.Typer(help="Managers' accounts for /manage and the cases API.", no_args_is_help=True)


def _users() -> ManagerUsers:
    try:
        return ManagerUsers(get_settings().channels_database)
    except SchemaBehindError as exc:
        fail(str(exc))


def _user(users: ManagerUsers, email: str) -> User:
    user = users.user_by_email(email)
    if user is None:
        fail(f"no user {email!r} (see 'dost-feedback users list')")
    return user


def _print_link(users: ManagerUsers, user: User) -> None:
    settings = get_settings()
    token = users.issue_password_link(user.user_id, settings.password_link_hours * 3600)
    typer.echo(f"set-password link: {settings.public_url}/manage/set-password#token={token}")
    typer.echo(f"Send it to {user.email}; it works once, for {settings.password_link_hours:g} hours.")


@users_app.command("add")
def users_add(
    email: str = typer.Option(..., "--email", help="The user's e-mail address (their sign-in name)."),
    role: str = typer.Option(..., "--role", help="manager (own centers), regional (a region) or admin (all)."),
    center: list[str] = typer.Option([], "--center", help="A manager's center (repeat for several)."),
    region: str | None = typer.Option(None, "--region", help="A regional user's region, as in the registry."),
) -> None:
    """Create a user; prints a one-time link to set their password."""
    for center_id in center:
        require_known_center(center_id)
    if region is not None:
        try:
            regions = load_registry(get_settings()).regions()
        except RegistryError as exc:
            fail(str(exc))
        if region not in regions:
            fail(f"unknown region {region!r}; known: {', '.join(regions)}")
    users = _users()
    try:
        user = users.add_user(email, role, list(center), region)
    except UserError as exc:
        fail(str(exc))
    scope = ", ".join(user.centers) if user.centers else (user.region or "every center")
    typer.echo(f"user_id: {user.user_id}")
    typer.echo(f"role:    {user.role.value} ({scope})")
    _print_link(users, user)


@users_app.command("link")
def users_link(email: str = typer.Option(..., "--email")) -> None:
    """A new one-time set-password link (a forgotten password; an unused older link stays valid until it expires)."""
    users = _users()
    _print_link(users, _user(users, email))


@users_app.command("list")
def users_list() -> None:
    """Every user, their role and scope (never a password or token)."""
    users = _users().users()
    if not users:
        typer.echo("no users")
        return
    typer.echo(f"{'email':<32} {'role':<9} {'status':<9} scope")
    for u in users:
        status = "disabled" if u.disabled_at else ("active" if u.has_password else "no-pass")
        typer.echo(f"{u.email:<32} {u.role.value:<9} {status:<9} {','.join(u.centers) or u.region or 'all'}")


@users_app.command("token")
def users_token(email: str = typer.Option(..., "--email")) -> None:
    """A bearer token that acts as this user on the cases API (GET /api/v1/cases); printed once."""
    users = _users()
    user = _user(users, email)
    typer.echo(f"token: {users.issue_api_token(user.user_id)}")
    typer.echo("Send it as 'Authorization: Bearer <token>'. It is not shown again.")


@users_app.command("disable")
def users_disable(email: str = typer.Option(..., "--email")) -> None:
    """Disable a user at once: their sessions and tokens stop working."""
    if not _users().disable_user(email):
        fail(f"no active user {email!r} (see 'dost-feedback users list')")
    typer.echo(f"disabled {email}")
