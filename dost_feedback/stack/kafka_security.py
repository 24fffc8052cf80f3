"""Kafka with authentication and ACLs for the local broker: SASL/SCRAM-SHA-512, one principal
per service, StandardAuthorizer with only the operations each needs
(docs/operations.md#kafka-security). On when ``DOST_KAFKA_LOCAL_ACLS=true``.

- ``PRINCIPAL_GRANTS``: the ACLs, as data (pure); ``acl_bindings`` turns them into
  kafka-python ``ACL`` objects. Everything not granted is denied
  (``allow.everyone.if.no.acl.found=false``); ``admin`` is the broker's own super user,
  used for inter-broker traffic, topic creation and setting the ACLs.
- ``broker_security_properties``: the server.properties lines; ``scram_format_args``: the
  SCRAM users written into the KRaft metadata when the storage is formatted (the only way
  to have SCRAM users before the first broker is up).
- ``principal_env``: the DOST_KAFKA_* a service's process gets, so each runs as itself.

Passwords: ``dev-only-kafka-<principal>`` in the local stack; docker-compose takes real
ones from required variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from dost_contract import topics

ADMIN = "admin"
MECHANISM = "SCRAM-SHA-512"
ResourceKind = Literal["TOPIC", "GROUP", "CLUSTER"]
PatternKind = Literal["LITERAL", "PREFIXED"]


@dataclass(frozen=True)
class Grant:
    resource: ResourceKind
    name: str
    operations: tuple[str, ...]
    pattern: PatternKind = "LITERAL"


def _produce(topic: str) -> Grant:
    return Grant("TOPIC", topic, ("WRITE", "DESCRIBE"))


def _consume(topic: str) -> Grant:
    return Grant("TOPIC", topic, ("READ", "DESCRIBE"))


def faust_app_grants(app_id: str) -> tuple[Grant, ...]:
    """A Faust app's own things: its consumer group and its internal topics (changelogs,
    the assignor's leader topic), which it creates and reads back."""
    return (
        Grant("GROUP", app_id, ("READ", "DESCRIBE")),
        Grant("TOPIC", f"{app_id}-", ("ALL",), "PREFIXED"),
        # Faust asks for cluster metadata and broker configs when it creates its topics.
        Grant("CLUSTER", "kafka-cluster", ("DESCRIBE", "DESCRIBE_CONFIGS")),
    )


def principal_grants(app_id: str, sentiment_app_id: str) -> dict[str, tuple[Grant, ...]]:
    """Who may do what. The web may only produce ratings; nothing but the SMS-invitation
    agent reads visits (they carry the encrypted phone)."""
    return {
        "web": (_produce(topics.FEEDBACK_SUBMITTED),),
        "queue-system": (_produce(topics.VISITS_COMPLETED),),
        "simulator": (_produce(topics.FEEDBACK_SUBMITTED), _produce(topics.VISITS_COMPLETED)),
        "worker": (
            # It produces to feedback.submitted too: a rating that arrived on another partition
            # than its center's is forwarded there (streams/counting.py).
            _consume(topics.FEEDBACK_SUBMITTED), _produce(topics.FEEDBACK_SUBMITTED),
            _produce(topics.FEEDBACK_DEADLETTER), _produce(topics.CENTER_SATISFACTION),
            *faust_app_grants(app_id),
        ),
        # streams/sms_invitations.py: its own Faust app, app_id + SMS_INVITER_GROUP_SUFFIX.
        "sms-inviter": (_consume(topics.VISITS_COMPLETED), *faust_app_grants(f"{app_id}-sms-invitations")),
        "sentiment-worker": (
            _consume(topics.FEEDBACK_SUBMITTED), _produce(topics.FEEDBACK_SCORED),
            _produce(topics.FEEDBACK_DEADLETTER), *faust_app_grants(sentiment_app_id),
        ),
        # streams/followup/worker.py: its own Faust app, app_id + "-followup".
        "cases-worker": (
            _consume(topics.FEEDBACK_SUBMITTED), _consume(topics.FEEDBACK_SCORED), _produce(topics.FOLLOWUP_CASES),
            *faust_app_grants(f"{app_id}-followup"),
        ),
    }


def dev_password(principal: str) -> str:
    return f"dev-only-kafka-{principal}"


def principal_env(principal: str, password: str | None = None) -> dict[str, str]:
    """The settings overrides under which a service connects as ``principal``."""
    return {"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_mechanism": MECHANISM,
            "kafka_username": principal, "kafka_password": password or dev_password(principal)}


def scram_format_args(principals: list[str]) -> list[str]:
    """``kafka-storage format`` arguments that create each principal's SCRAM credential."""
    args = []
    for principal in principals:
        args += ["--add-scram", f"{MECHANISM}=[name={principal},password={dev_password(principal)}]"]
    return args


def broker_security_properties(port: int, controller_port: int) -> str:
    """server.properties lines that replace the PLAINTEXT listeners with SASL ones."""
    admin = dev_password(ADMIN)
    scram = f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{ADMIN}" password="{admin}";'
    # KRaft controllers cannot use SCRAM (its users live in the metadata they serve): PLAIN.
    plain = (f'org.apache.kafka.common.security.plain.PlainLoginModule required username="{ADMIN}" '
             f'password="{admin}" user_{ADMIN}="{admin}";')
    return "\n".join([
        f"listeners=SASL_PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        f"advertised.listeners=SASL_PLAINTEXT://127.0.0.1:{port}",
        "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
        "inter.broker.listener.name=SASL_PLAINTEXT",
        f"sasl.enabled.mechanisms={MECHANISM}",
        f"sasl.mechanism.inter.broker.protocol={MECHANISM}",
        f"listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config={scram}",
        "sasl.mechanism.controller.protocol=PLAIN",
        "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
        f"listener.name.controller.plain.sasl.jaas.config={plain}",
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        f"super.users=User:{ADMIN}",
        "allow.everyone.if.no.acl.found=false",
        "",
    ])


def acl_bindings(grants: dict[str, tuple[Grant, ...]]) -> list[Any]:
    """kafka-python ``ACL`` objects (ALLOW, any host) for every grant."""
    from kafka.admin import ACL, ACLOperation, ACLPermissionType, ACLResourcePatternType, ResourcePattern, ResourceType

    return [
        ACL(principal=f"User:{principal}", host="*", operation=ACLOperation[operation],
            permission_type=ACLPermissionType.ALLOW,
            resource_pattern=ResourcePattern(ResourceType[grant.resource], grant.name,
                                             ACLResourcePatternType[grant.pattern]))
        for principal, principal_grant_list in grants.items()
        for grant in principal_grant_list
        for operation in grant.operations
    ]


class KafkaSecuritySetupError(RuntimeError):
    """The broker refused a SCRAM user or an ACL; the message says which."""


def _admin_client(bootstrap_servers: str, client_kwargs: dict[str, Any] | None):
    from kafka.admin import KafkaAdminClient

    kwargs = client_kwargs or {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": MECHANISM,
                               "sasl_plain_username": ADMIN, "sasl_plain_password": dev_password(ADMIN)}
    return KafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=30000, **kwargs)


def apply_acls(bootstrap_servers: str, grants: dict[str, tuple[Grant, ...]],
               client_kwargs: dict[str, Any] | None = None) -> int:
    """Create every ACL as the admin (idempotent: the broker ignores duplicates); how many.
    ``client_kwargs``: the admin's connection (default: the local broker's dev admin)."""
    admin = _admin_client(bootstrap_servers, client_kwargs)
    try:
        bindings = acl_bindings(grants)
        result = admin.create_acls(bindings)
        failed = result.get("failed") or []
        if failed:
            raise KafkaSecuritySetupError(f"Kafka refused ACLs: {failed}")
        return len(bindings)
    finally:
        admin.close()


def upsert_scram_users(bootstrap_servers: str, passwords: dict[str, str], client_kwargs: dict[str, Any]) -> list[str]:
    """Create or update each principal's SCRAM-SHA-512 credential (as the admin); their names."""
    from kafka.admin import UserScramCredentialUpsertion

    admin = _admin_client(bootstrap_servers, client_kwargs)
    try:
        result = admin.alter_user_scram_credentials(
            [UserScramCredentialUpsertion(user, MECHANISM, password) for user, password in sorted(passwords.items())])
    finally:
        admin.close()
    failed = {user: error for user, error in result.items() if error}
    if failed:
        raise KafkaSecuritySetupError(f"Kafka refused SCRAM users: {failed}")
    return sorted(result)
