"""Kafka: where the brokers are, how clients authenticate, how topics are laid out, and the
local broker's resources.

Every Kafka client takes its security settings from one place: ``kafka_client_kwargs``
(aiokafka and kafka-python share the keyword names) and ``kafka_sasl_credentials`` (the
keywords of ``faust.SASLCredentials``). Each service runs as its own principal
(``DOST_KAFKA_USERNAME``), with only the ACLs it needs (docs/operations.md#kafka-security).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr

from dost_contract.settings.base import PROJECT_ROOT

KafkaSecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"]
# PLAIN only for the broker's own admin listener in docker-compose (SCRAM users are created
# through it); services always use SCRAM.
KafkaSaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]


class KafkaSettings(BaseModel):
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_controller_port: int = 9095  # local KRaft controller listener
    # PLAINTEXT: no authentication (a laptop's own broker). SASL_PLAINTEXT / SASL_SSL:
    # SCRAM with this service's principal and password; the broker's ACLs decide the rest.
    kafka_security_protocol: KafkaSecurityProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: KafkaSaslMechanism = "SCRAM-SHA-512"
    kafka_username: str | None = None
    kafka_password: SecretStr | None = None
    # SASL_SSL: the CA that signed the brokers' certificates (default: the system's).
    kafka_ssl_cafile: Path | None = None
    # `dost-feedback kafka setup` (docker-compose's kafka-setup): each service principal's
    # password, as JSON {"web": "...", "worker": "...", ...}; it creates their SCRAM users.
    kafka_principal_passwords: dict[str, SecretStr] = Field(default_factory=dict)
    # The local broker (dost-feedback stack, tests): SASL/SCRAM with one principal per
    # service and StandardAuthorizer ACLs (dost_feedback/stack/kafka_security.py).
    kafka_local_acls: bool = False
    topic_partitions: int = Field(6, ge=1)
    topic_replication_factor: int = Field(1, ge=1)
    kafka_heap: str = "512m"
    # Jars fetched from Maven Central; shared by every local broker (stack and tests).
    kafka_libs_dir: Path = PROJECT_ROOT / ".dost" / "kafka-libs"


class KafkaCredentialsError(ValueError):
    """SASL is on but this service has no principal or password; the message names the variables."""


def _sasl_login(settings: Any) -> tuple[str, str]:
    password = settings.kafka_password.get_secret_value() if settings.kafka_password else ""
    if not settings.kafka_username or not password:
        raise KafkaCredentialsError(
            f"DOST_KAFKA_SECURITY_PROTOCOL={settings.kafka_security_protocol} needs DOST_KAFKA_USERNAME and "
            "DOST_KAFKA_PASSWORD (this service's Kafka principal)")
    return settings.kafka_username, password


def kafka_client_kwargs(settings: Any) -> dict[str, Any]:
    """The security keywords for an aiokafka or kafka-python client (empty for PLAINTEXT)."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return {}
    username, password = _sasl_login(settings)
    kwargs: dict[str, Any] = {
        "security_protocol": settings.kafka_security_protocol,
        "sasl_mechanism": settings.kafka_sasl_mechanism,
        "sasl_plain_username": username,
        "sasl_plain_password": password,
    }
    if settings.kafka_security_protocol == "SASL_SSL":
        import ssl

        kwargs["ssl_context"] = ssl.create_default_context(
            cafile=str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None)
    return kwargs


def kafka_sasl_credentials(settings: Any) -> dict[str, Any] | None:
    """Keywords for ``faust.SASLCredentials`` (None for PLAINTEXT)."""
    kwargs = kafka_client_kwargs(settings)
    if not kwargs:
        return None
    return {"username": kwargs["sasl_plain_username"], "password": kwargs["sasl_plain_password"],
            "mechanism": kwargs["sasl_mechanism"], "ssl_context": kwargs.get("ssl_context")}
