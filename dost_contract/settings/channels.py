"""Citizen channels: kiosk, SMS, QR, their shared store and their secrets (docs/channels.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

# Development-only secrets: fine on a laptop, never in production (see insecure_secrets).
DEV_SMS_SIGNATURE_SECRET = "dev-only-sms-signature-secret"
DEV_PHONE_HASH_SECRET = "dev-only-phone-hash-secret"
DEV_PHONE_ENCRYPTION_KEY = "ZGV2LW9ubHktcGhvbmUtZW5jcnlwdGlvbi1rZXktMzI="  # base64("dev-only-phone-encryption-key-32")
DEV_ONCALL_WEBHOOK_TOKEN = "dev-only-oncall-webhook-token"
DEV_SECRETS = {
    "sms_signature_secret": DEV_SMS_SIGNATURE_SECRET,
    "phone_hash_secret": DEV_PHONE_HASH_SECRET,
    "phone_encryption_key": DEV_PHONE_ENCRYPTION_KEY,
    # Alertmanager's bearer token at the on-call receiver (OncallSettings).
    "oncall_webhook_token": DEV_ONCALL_WEBHOOK_TOKEN,
}


class ChannelSettings(BaseModel):
    # Where citizens' phones and browsers reach the web; QR codes and kiosk setup links use it.
    public_base_url: str | None = None  # default http://DOST_WEB_HOST:DOST_WEB_PORT
    # Shared state of the web, the SMS-invitation agent and the CLI (device tokens, QR
    # tokens, invitations, opt-outs): one SQLite file in WAL mode. Default under state_dir.
    channels_db_file: Path | None = None
    # A kiosk device may submit one rating per interval on average, with a short burst
    # (a queue flushed after an outage); beyond that it gets 429 with Retry-After.
    kiosk_rate_limit_seconds: float = Field(5.0, gt=0)
    kiosk_rate_limit_burst: int = Field(10, ge=1)
    # Seconds the kiosk's thank-you screen stays before it resets for the next citizen.
    kiosk_reset_seconds: int = Field(8, ge=1, le=120)
    qr_token_ttl_hours: float = Field(72.0, gt=0)
    sms_invitation_valid_hours: float = Field(48.0, gt=0)
    # Secrets. The defaults are for the local stack only; the prod profile refuses them
    # (dost_contract/settings/production.py).
    # HMAC key the SMS gateway signs its webhook calls with (header X-Dost-Signature).
    sms_signature_secret: SecretStr = SecretStr(DEV_SMS_SIGNATURE_SECRET)
    # HMAC key of the phone hash: the only form of a phone number in Kafka, state and logs.
    phone_hash_secret: SecretStr = SecretStr(DEV_PHONE_HASH_SECRET)
    # Fernet key: the queue system encrypts the phone on visits.completed with it.
    phone_encryption_key: SecretStr = SecretStr(DEV_PHONE_ENCRYPTION_KEY)
    # The URL the gateway signs (as configured at the gateway). Default: the URL the
    # request arrived at, which is wrong behind a proxy that rewrites host or scheme.
    sms_webhook_url: str | None = None
    # "log": the dev gateway logs each SMS (masked phone) and appends it to sms_outbox_file.
    # "http": POST {"to", "text"} as JSON to sms_gateway_url with a bearer token.
    sms_gateway: Literal["log", "http"] = "log"
    sms_gateway_url: str | None = None
    sms_gateway_token: SecretStr | None = None
    sms_outbox_file: Path | None = None  # default run_dir/sms-outbox.jsonl

    def insecure_secrets(self) -> list[str]:
        """The DOST_ secrets still at their development defaults (empty when all are set)."""
        return [
            f"DOST_{name.upper()}" for name, dev in DEV_SECRETS.items()
            if getattr(self, name).get_secret_value() == dev
        ]
