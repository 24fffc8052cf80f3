"""``dost-feedback kafka setup``: the service principals' SCRAM users and ACLs on a broker
with authentication (docker-compose's ``kafka-setup``; the local stack does it itself)."""

from __future__ import annotations

import json

import typer

from dost_contract.settings import get_settings
from dost_contract.settings.kafka import kafka_client_kwargs
from dost_feedback.cli.common import fail

kafka_app = typer.Typer(help="Kafka principals and ACLs (docs/operations.md#kafka-security).", no_args_is_help=True)


@kafka_app.command("setup")
def setup() -> None:
    """As the admin (DOST_KAFKA_USERNAME), create every service principal's SCRAM user from
    DOST_KAFKA_PRINCIPAL_PASSWORDS and grant its ACLs; idempotent. Prints what it did (JSON)."""
    from dost_feedback.stack.kafka import sentiment_app_id
    from dost_feedback.stack.kafka_security import apply_acls, principal_grants, upsert_scram_users

    settings = get_settings()
    grants = principal_grants(settings.faust_app_id, sentiment_app_id(settings))
    missing = sorted(set(grants) - set(settings.kafka_principal_passwords))
    if missing:
        fail(f"DOST_KAFKA_PRINCIPAL_PASSWORDS lacks a password for {', '.join(missing)}")
    if settings.kafka_security_protocol == "PLAINTEXT":
        fail("DOST_KAFKA_SECURITY_PROTOCOL is PLAINTEXT: a broker without authentication has no principals")
    passwords = {name: secret.get_secret_value() for name, secret in settings.kafka_principal_passwords.items()
                 if name in grants}
    admin = kafka_client_kwargs(settings)
    try:
        users = upsert_scram_users(settings.kafka_bootstrap_servers, passwords, admin)
        acls = apply_acls(settings.kafka_bootstrap_servers, grants, admin)
    except Exception as exc:  # KafkaSecuritySetupError or any broker error: one clear line
        fail(f"Kafka security setup at {settings.kafka_bootstrap_servers} failed: {exc}")
    typer.echo(json.dumps({"users": users, "acls": acls}))
