"""visits.completed: the phone travels only hashed and encrypted, keyed by center_id."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pydantic import ValidationError

from dost_contract.phones import InvalidPhone, decrypt_phone, phone_hash
from dost_contract.settings import Settings
from dost_contract.visits import VisitCompleted

PHONE = "+994501234567"


@pytest.fixture
def settings() -> Settings:
    return Settings(phone_hash_secret="visit-test-hash-secret",
                    phone_encryption_key="dmlzaXQtdGVzdC1lbmNyeXB0aW9uLWtleS0zMmJ5dGU=")


def test_create_hashes_and_encrypts_the_phone(settings: Settings):
    visit = VisitCompleted.create(settings, center_id="baku-2", phone=PHONE, language="ru",
                                  service_group="pensions", visit_id="visit-1")
    assert visit.phone_hash == phone_hash("visit-test-hash-secret", PHONE)
    assert visit.phone_hash != phone_hash("another-secret", PHONE)  # keyed with the settings' secret
    assert decrypt_phone(settings.phone_encryption_key.get_secret_value(), visit.phone_encrypted) == PHONE
    assert (visit.visit_id, visit.center_id, visit.language, visit.service_group) == (
        "visit-1", "baku-2", "ru", "pensions")
    assert visit.schema_version == 1
    assert visit.completed_at.utcoffset() == timedelta(0)


def test_the_phone_is_never_in_clear_in_the_json(settings: Settings):
    visit = VisitCompleted.create(settings, center_id="baku-2", phone="050 123 45 67")
    text = visit.model_dump_json()
    for form in ("501234567", "050 123 45 67", "50 123", "+994"):
        assert form not in text
    assert set(json.loads(text)) == {"schema_version", "visit_id", "center_id", "service_group", "language",
                                     "phone_hash", "phone_encrypted", "completed_at"}


@pytest.mark.parametrize("local", ["050 123 45 67", "0501234567", "50 123 45 67", "994501234567",
                                   "00994501234567", "(050) 123-45-67"])
def test_local_azerbaijani_forms_are_normalised(settings: Settings, local: str):
    visit = VisitCompleted.create(settings, center_id="baku-1", phone=local)
    assert visit.phone_hash == phone_hash("visit-test-hash-secret", PHONE)
    assert decrypt_phone(settings.phone_encryption_key.get_secret_value(), visit.phone_encrypted) == PHONE


@pytest.mark.parametrize("not_a_phone", ["", "abc", "12345", "5 çox yaxşı"])
def test_a_non_phone_is_refused(settings: Settings, not_a_phone: str):
    with pytest.raises(InvalidPhone):
        VisitCompleted.create(settings, center_id="baku-1", phone=not_a_phone)


def test_the_encrypted_phone_needs_the_key(settings: Settings):
    visit = VisitCompleted.create(settings, center_id="baku-1", phone=PHONE)
    with pytest.raises(InvalidPhone, match="cannot be decrypted"):
        decrypt_phone("b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI=", visit.phone_encrypted)


def test_each_visit_gets_its_own_id_and_ciphertext(settings: Settings):
    a = VisitCompleted.create(settings, center_id="baku-1", phone=PHONE)
    b = VisitCompleted.create(settings, center_id="baku-1", phone=PHONE)
    assert a.visit_id != b.visit_id
    assert a.phone_hash == b.phone_hash  # replies and opt-outs match on the hash
    assert a.phone_encrypted != b.phone_encrypted  # Fernet: a fresh IV each time


def test_to_kafka_keys_by_center_and_round_trips(settings: Settings):
    visit = VisitCompleted.create(settings, center_id="karabakh-shusha", phone=PHONE, visit_id="v-42")
    key, value = visit.to_kafka()
    assert key == b"karabakh-shusha"
    assert VisitCompleted.model_validate_json(value) == visit
    assert json.loads(value)["visit_id"] == "v-42"


def test_a_malformed_event_is_refused():
    with pytest.raises(ValidationError, match="phone_hash"):
        VisitCompleted(visit_id="v", center_id="baku-1", phone_hash="not-hex", phone_encrypted="x",
                       completed_at="2026-01-01T00:00:00Z")
    with pytest.raises(ValidationError, match="completed_at"):
        VisitCompleted(visit_id="v", center_id="baku-1", phone_hash="a" * 64, phone_encrypted="x",
                       completed_at="2026-01-01T00:00:00")  # naive: no offset
