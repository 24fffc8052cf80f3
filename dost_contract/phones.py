"""Phone numbers: normalised, then only ever stored, logged or published as a keyed hash.

The hash is HMAC-SHA256 with ``DOST_PHONE_HASH_SECRET``: without the secret nobody can
test a guessed number against it (a plain hash of 9 digits is reversed in seconds).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken


class InvalidPhone(ValueError):
    """Not something an SMS can be sent to."""


AZ_COUNTRY_CODE = "994"


def normalize_phone(raw: str) -> str:
    """E.164 form (+994501234567). Local Azerbaijani forms (050..., 50...) get the country code."""
    digits = re.sub(r"[\s().-]", "", raw.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not re.fullmatch(r"\+?\d{7,15}", digits):
        raise InvalidPhone(f"not a phone number: {mask_phone(raw)}")
    if digits.startswith("+"):
        return digits
    if digits.startswith(AZ_COUNTRY_CODE) and len(digits) == 12:
        return "+" + digits
    if digits.startswith("0") and len(digits) == 10:  # 050 123 45 67
        return "+" + AZ_COUNTRY_CODE + digits[1:]
    if len(digits) == 9:  # 50 123 45 67
        return "+" + AZ_COUNTRY_CODE + digits
    return "+" + digits


def phone_hash(secret: str, raw_phone: str) -> str:
    """The keyed hash that stands for a phone everywhere outside the SMS gateway."""
    phone = normalize_phone(raw_phone)
    return hmac.new(secret.encode(), phone.encode(), hashlib.sha256).hexdigest()


def mask_phone(raw: str) -> str:
    """For humans reading logs: the first 3 and last 2 digits, e.g. +994*******67."""
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 6:
        return "*" * len(digits)
    prefix = "+" if raw.strip().startswith("+") else ""
    return prefix + digits[:3] + "*" * (len(digits) - 5) + digits[-2:]


def encrypt_phone(key: str, raw_phone: str) -> str:
    """The phone, encrypted for visits.completed (only the SMS agent can read it back)."""
    return Fernet(key.encode()).encrypt(normalize_phone(raw_phone).encode()).decode()


def decrypt_phone(key: str, token: str) -> str:
    try:
        return Fernet(key.encode()).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise InvalidPhone("the encrypted phone cannot be decrypted with DOST_PHONE_ENCRYPTION_KEY") from exc
