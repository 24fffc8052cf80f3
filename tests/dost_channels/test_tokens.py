"""Device and QR tokens: prefix, random bits, SHA-256 hashing and the Bearer header."""

from __future__ import annotations

import base64
import hashlib
import re

from dost_channels.tokens import DEVICE_TOKEN_PREFIX, bearer_token, hash_token, new_device_token, new_qr_token

URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def random_bits(token: str) -> int:
    """The bits behind a ``secrets.token_urlsafe`` string (unpadded URL-safe base64)."""
    assert URLSAFE.match(token), token
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8


def test_device_tokens_carry_the_dk_prefix_and_256_random_bits():
    token = new_device_token()
    assert DEVICE_TOKEN_PREFIX == "dk_"
    assert token.startswith("dk_")
    body = token.removeprefix("dk_")
    assert len(body) == 43  # 32 bytes, base64 without padding
    assert random_bits(body) == 256


def test_qr_tokens_carry_128_random_bits():
    token = new_qr_token()
    assert len(token) == 22  # 16 bytes, base64 without padding
    assert random_bits(token) == 128


def test_tokens_are_never_repeated():
    assert len({new_device_token() for _ in range(200)}) == 200
    assert len({new_qr_token() for _ in range(200)}) == 200


def test_hash_token_is_sha256_hex():
    assert hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    token = new_device_token()
    assert hash_token(token) == hashlib.sha256(token.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", hash_token(token))
    assert hash_token("ç") == hashlib.sha256("ç".encode("utf-8")).hexdigest()


def test_bearer_header_parsing():
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer  abc ") == "abc"
    assert bearer_token("Basic abc") is None
    assert bearer_token("Bearer ") is None
    assert bearer_token(None) is None
