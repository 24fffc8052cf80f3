"""What ``DOST_PROFILE=prod`` refuses to start with: public secrets and development stand-ins.

``production_problems(settings)`` lists every problem (one line each, naming the DOST_
variable to set); ``require_production_ready(settings)`` raises ``InsecureSettingsError``
with all of them in one message. Every long-running service checks this before it
starts (``dost_feedback.cli.services``), so a deployment that forgot a secret stops at
once instead of running on the development defaults that are in the source.

Refused under the prod profile:

- a secret unset, empty, or still its development default (``DEV_SECRETS``);
- Kafka without authentication (``DOST_KAFKA_SECURITY_PROTOCOL=PLAINTEXT``), or SASL without
  this service's principal;
- the SMS gateway ``log`` (nothing is ever sent: no invitation, no page), or ``http``
  without its URL or token;
- for the on-call receiver (``pages_oncall``), the sample on-call config
  (``config/oncall.yaml``, ``config/oncall.example.yaml``: they carry ``SAMPLE_ONCALL_MARKER``)
  or any config with a ``dev`` (file) channel, which pages nobody.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from dost_contract.settings.channels import DEV_SECRETS

# The sample on-call configs carry this line; remove it once the contacts are real.
SAMPLE_ONCALL_MARKER = "dost-feedback: SAMPLE on-call config"
# How each secret is made (also in .env.example).
GENERATE_HINT = {
    "phone_encryption_key": "a Fernet key: python -c 'from cryptography.fernet import Fernet; "
                            "print(Fernet.generate_key().decode())'",
}
DEFAULT_GENERATE_HINT = "e.g. openssl rand -hex 32"


class InsecureSettingsError(ValueError):
    """The prod profile met an insecure setting; the message names every DOST_ variable to fix."""


def _secret_value(value: Any) -> str:
    if value is None:
        return ""
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def secret_problems(settings: Any) -> list[str]:
    """One line per secret that is unset, empty or its development default."""
    problems = []
    for name, dev_value in DEV_SECRETS.items():
        value = _secret_value(getattr(settings, name)).strip()
        variable = f"DOST_{name.upper()}"
        hint = GENERATE_HINT.get(name, DEFAULT_GENERATE_HINT)
        if not value:
            problems.append(f"{variable} is unset ({hint})")
        elif value == dev_value:
            problems.append(f"{variable} is the development default, which is public ({hint})")
    return problems


def gateway_problems(settings: Any) -> list[str]:
    if settings.sms_gateway == "log":
        return ["DOST_SMS_GATEWAY is 'log' (SMS are only written to a file, nobody is invited or paged); "
                "set DOST_SMS_GATEWAY=http with DOST_SMS_GATEWAY_URL and DOST_SMS_GATEWAY_TOKEN"]
    problems = []
    if not settings.sms_gateway_url:
        problems.append("DOST_SMS_GATEWAY_URL is unset (DOST_SMS_GATEWAY=http posts each SMS there)")
    if not _secret_value(settings.sms_gateway_token).strip():
        problems.append("DOST_SMS_GATEWAY_TOKEN is unset (the http SMS gateway's bearer token)")
    return problems


def kafka_problems(settings: Any) -> list[str]:
    if settings.kafka_security_protocol == "PLAINTEXT":
        return ["DOST_KAFKA_SECURITY_PROTOCOL is PLAINTEXT (anyone on the network can produce ratings and read "
                "visits); use SASL_PLAINTEXT or SASL_SSL with this service's DOST_KAFKA_USERNAME/DOST_KAFKA_PASSWORD"]
    password = _secret_value(settings.kafka_password).strip()
    return [] if settings.kafka_username and password else [
        "DOST_KAFKA_USERNAME and DOST_KAFKA_PASSWORD must name this service's Kafka principal"]


def oncall_config_problems(config_file: Path) -> list[str]:
    """The on-call config must exist, and be neither a sample nor page only into a dev file."""
    try:
        text = Path(config_file).read_text(encoding="utf-8")
    except OSError as exc:
        return [f"DOST_ONCALL_CONFIG_FILE={config_file} cannot be read ({exc.strerror})"]
    if SAMPLE_ONCALL_MARKER in text:
        return [f"DOST_ONCALL_CONFIG_FILE={config_file} is the sample on-call config with placeholder contacts; "
                "point it at your own copy with real contacts (docs/operations.md, 'On-call routing and channels')"]
    uncommented = (line.split("#", 1)[0].strip().replace(" ", "") for line in text.splitlines())
    if any(line in ("type:dev", '"type":"dev"') for line in uncommented):
        return [f"DOST_ONCALL_CONFIG_FILE={config_file} has a 'dev' channel, which writes to a file and pages nobody"]
    return []


def production_problems(settings: Any, *, pages_oncall: bool = False) -> list[str]:
    """Everything the prod profile refuses (empty under the dev profile, or when all is set).
    ``pages_oncall``: the service reads the on-call config (the receiver), so check it too."""
    if settings.profile != "prod":
        return []
    problems = secret_problems(settings) + gateway_problems(settings) + kafka_problems(settings)
    if pages_oncall:
        problems += oncall_config_problems(settings.oncall_config_file)
    return problems


def require_production_ready(settings: Any, *, pages_oncall: bool = False) -> None:
    """Raise ``InsecureSettingsError`` listing every problem, if there are any."""
    problems = production_problems(settings, pages_oncall=pages_oncall)
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise InsecureSettingsError(
            f"DOST_PROFILE=prod refuses to start with insecure settings ({len(problems)}):\n{listed}\n"
            "Set them in the environment (see .env.example)."
        )
