"""Citizen channels: kiosk, SMS, QR, their shared store and their secrets (docs/channels.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from dost_contract.settings.web import DEV_SESSION_SECRET

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
    # The managers' session cookies (WebSettings).
    "session_secret": DEV_SESSION_SECRET,
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
    # Repeated presses on a tablet (feedback_web/bursts.py): kept but not counted when the
    # same face comes again within repeat_seconds, more than max_per_minute arrive in a
    # minute, or the window holds more presses than the center's completed visits + margin.
    kiosk_repeat_seconds: float = Field(3.0, ge=0)
    kiosk_max_per_minute: int = Field(8, ge=1)
    kiosk_burst_window_seconds: float = Field(600.0, gt=0)
    kiosk_burst_margin: int = Field(3, ge=0)
    # Each integration client key, across every web process (the buckets are in the store).
    client_rate_limit_per_second: float = Field(1000.0, gt=0)
    client_rate_limit_burst: int = Field(2000, ge=1)
    # Each IP address on the public endpoints /r/... and /sms/inbound.
    public_rate_limit_per_second: float = Field(5.0, gt=0)
    public_rate_limit_burst: int = Field(60, ge=1)
    # Seconds the kiosk's thank-you screen stays before it resets for the next citizen.
    kiosk_reset_seconds: int = Field(8, ge=1, le=120)
    qr_token_ttl_hours: float = Field(72.0, gt=0)
    sms_invitation_valid_hours: float = Field(48.0, gt=0)
    # The SMS-invitation agent (`dost-feedback sms-inviter`): its /metrics port (on
    # DOST_WORKER_METRICS_HOST), how often it looks at its outbox, and the retry backoff
    # (doubling from the first delay up to the cap) until the invitation expires.
    sms_inviter_metrics_port: int = 9105
    sms_outbox_poll_seconds: float = Field(1.0, gt=0)
    sms_retry_initial_seconds: float = Field(5.0, gt=0)
    sms_retry_max_seconds: float = Field(600.0, gt=0)
    # Secrets. The defaults are for the local stack only; the prod profile refuses them
    # (dost_contract/settings/production.py).
    # HMAC key the SMS gateway signs its webhook calls with (Twilio: the auth token).
    sms_signature_secret: SecretStr = SecretStr(DEV_SMS_SIGNATURE_SECRET)
    # HMAC key of the phone hash: the only form of a phone number in Kafka, state and logs.
    phone_hash_secret: SecretStr = SecretStr(DEV_PHONE_HASH_SECRET)
    # Fernet key: the queue system encrypts the phone on visits.completed with it.
    phone_encryption_key: SecretStr = SecretStr(DEV_PHONE_ENCRYPTION_KEY)
    # The URL the gateway signs (as configured at the gateway). Default: the URL the
    # request arrived at, which is wrong behind a proxy that rewrites host or scheme.
    sms_webhook_url: str | None = None
    # How the gateway signs POST /sms/inbound: "dost" (X-Dost-Signature, HMAC-SHA256 with a
    # signed X-Dost-Timestamp) or "twilio" (X-Twilio-Signature; the secret is the auth token).
    sms_signature_scheme: Literal["dost", "twilio"] = "dost"
    # A "dost" call signed longer ago (or further ahead) than this is refused as a replay.
    sms_signature_max_age_seconds: float = Field(300.0, gt=0)
    # "log": the dev gateway logs each SMS (masked phone) and appends it to sms_outbox_file.
    # "http": POST {"to", "text"} as JSON to sms_gateway_url with a bearer token.
    sms_gateway: Literal["log", "http"] = "log"
    sms_gateway_url: str | None = None
    sms_gateway_token: SecretStr | None = None
    sms_outbox_file: Path | None = None  # default run_dir/sms-outbox.jsonl
    # The integration client key `simulate --via web` and the benches post with
    # (`dost-feedback clients add`; the local stack makes one for its simulator).
    client_key: SecretStr | None = None

    def insecure_secrets(self) -> list[str]:
        """The DOST_ secrets still at their development defaults (empty when all are set)."""
        return [
            f"DOST_{name.upper()}" for name, dev in DEV_SECRETS.items()
            if getattr(self, name).get_secret_value() == dev
        ]
