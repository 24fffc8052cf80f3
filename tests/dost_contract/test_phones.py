"""Phone normalisation, keyed hashing, masking and encryption."""

from __future__ import annotations

import pytest

from dost_contract.phones import InvalidPhone, decrypt_phone, encrypt_phone, mask_phone, normalize_phone, phone_hash
from dost_contract.settings import DEV_PHONE_ENCRYPTION_KEY


@pytest.mark.parametrize("raw", ["+994 50 123 45 67", "994501234567", "050-123-45-67", "(050) 123 45 67",
                                 "50 123 45 67", "00994501234567"])
def test_azerbaijani_forms_normalise_to_e164(raw):
    assert normalize_phone(raw) == "+994501234567"


@pytest.mark.parametrize("raw", ["", "abc", "12", "+994 50 123 45 67 89 00 11", "5 çox yaxşı"])
def test_not_a_phone(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_hash_is_keyed_and_form_independent():
    a = phone_hash("k1", "+994 50 123 45 67")
    assert a == phone_hash("k1", "0501234567")
    assert a != phone_hash("k2", "0501234567")
    assert len(a) == 64 and "501234567" not in a


def test_mask_keeps_only_a_few_digits():
    assert mask_phone("+994501234567") == "+994*******67"
    assert "1234" not in mask_phone("+994501234567")


def test_encryption_round_trip_and_wrong_key():
    token = encrypt_phone(DEV_PHONE_ENCRYPTION_KEY, "050 123 45 67")
    assert "501234567" not in token
    assert decrypt_phone(DEV_PHONE_ENCRYPTION_KEY, token) == "+994501234567"
    other_key = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI="
    with pytest.raises(InvalidPhone):
        decrypt_phone(other_key, token)
