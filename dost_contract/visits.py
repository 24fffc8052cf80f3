"""``visits.completed``: a citizen's visit has finished; the SMS agent may invite a rating.

The queue system publishes one event per visit, keyed by ``center_id``. The phone never
travels in clear: the event carries its keyed hash (to match replies and opt-outs) and
the number encrypted with ``DOST_PHONE_ENCRYPTION_KEY`` (only the SMS agent decrypts it,
in memory, to hand it to the gateway).
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dost_contract.events import ServiceGroup, utc_now
from dost_contract.phones import encrypt_phone, phone_hash
from dost_contract.settings import Settings


class VisitCompleted(BaseModel):
    model_config = ConfigDict(extra="ignore")

    schema_version: Literal[1] = 1
    visit_id: str = Field(min_length=1, max_length=128, description="Unique per visit: one invitation per visit.")
    center_id: str = Field(min_length=1, max_length=64)
    service_group: ServiceGroup | None = None
    language: Literal["az", "ru", "en"] = "az"
    phone_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    phone_encrypted: str = Field(min_length=1, max_length=1024)
    completed_at: AwareDatetime

    @classmethod
    def create(cls, settings: Settings, *, center_id: str, phone: str, language: str = "az",
               service_group: str | None = None, visit_id: str | None = None) -> "VisitCompleted":
        """Build the event from a phone in clear (the queue system's side)."""
        return cls(
            visit_id=visit_id or str(uuid.uuid4()),
            center_id=center_id,
            service_group=service_group,
            language=language,
            phone_hash=phone_hash(settings.phone_hash_secret.get_secret_value(), phone),
            phone_encrypted=encrypt_phone(settings.phone_encryption_key.get_secret_value(), phone),
            completed_at=utc_now(),
        )

    def to_kafka(self) -> tuple[bytes, bytes]:
        return self.center_id.encode(), self.model_dump_json().encode()

