"""API client keys for integrations (the e-government portal, the queue system, the simulator).

A key is shown once (``dost-feedback clients add``) and stored as its SHA-256 hash. Each
client is scoped to a set of centers (or every center) and of channels: ``web`` for an
integration's own form, ``kiosk`` for a kiosk vendor's server. ``sms`` and ``qr`` are
never a client's: SMS ratings come only through the signed webhook, QR ratings only
with their one-time visit token.

A mixin of ``ChannelStore`` (``dost_channels.store``): it uses the store's ``_one`` and
``_write``; its table is ``api_clients`` in ``dost_channels.db.schema``.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum

from dost_channels.tokens import hash_token, new_client_key

CLIENT_CHANNELS = ("web", "kiosk")
ALL_CENTERS = "*"



class ClientCheck(StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    WRONG_CENTER = "wrong_center"
    WRONG_CHANNEL = "wrong_channel"


@dataclass(frozen=True)
class ApiClient:
    client_id: str
    name: str
    centers: tuple[str, ...] | None  # None: every center
    channels: tuple[str, ...]
    created_at: float
    revoked_at: float | None

    def allows(self, center_id: str, channel: str) -> ClientCheck:
        if self.revoked_at is not None:
            return ClientCheck.REVOKED
        if self.centers is not None and center_id not in self.centers:
            return ClientCheck.WRONG_CENTER
        if channel not in self.channels:
            return ClientCheck.WRONG_CHANNEL
        return ClientCheck.OK


def _client(row) -> ApiClient:
    centers = None if row["centers"] == ALL_CENTERS else tuple(json.loads(row["centers"]))
    return ApiClient(row["client_id"], row["name"], centers, tuple(json.loads(row["channels"])),
                     row["created_at"], row["revoked_at"])


class ApiClients:
    """The ``api_clients`` table."""

    def add_client(self, name: str, centers: list[str] | None, channels: list[str],
                   now: float | None = None) -> tuple[ApiClient, str]:
        """Register an integration; returns it and its key (shown only once).

        ``centers`` None means every center. Raises ValueError for a channel a client may
        not have or an empty scope.
        """
        bad = [c for c in channels if c not in CLIENT_CHANNELS]
        if bad or not channels:
            raise ValueError(f"a client's channels are some of {', '.join(CLIENT_CHANNELS)}; got {channels!r} "
                             "(sms ratings come only through the signed webhook, qr only with a visit token)")
        if centers is not None and not centers:
            raise ValueError("give at least one center, or every center")
        key = new_client_key()
        client = ApiClient(f"cl-{uuid.uuid4().hex[:12]}", name, tuple(centers) if centers is not None else None,
                           tuple(dict.fromkeys(channels)), time.time() if now is None else now, None)
        self._write(
            "INSERT INTO api_clients (client_id, name, key_hash, centers, channels, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (client.client_id, name, hash_token(key),
             ALL_CENTERS if client.centers is None else json.dumps(list(client.centers)),
             json.dumps(list(client.channels)), client.created_at),
        )
        return client, key

    def clients(self) -> list[ApiClient]:
        return [_client(row) for row in self._all("SELECT * FROM api_clients ORDER BY created_at")]

    def revoke_client(self, client_id: str, now: float | None = None) -> bool:
        """True if the client existed and was active."""
        return bool(self._write(
            "UPDATE api_clients SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL",
            (time.time() if now is None else now, client_id),
        ))

    def check_client(self, key: str, center_id: str, channel: str) -> tuple[ClientCheck, str | None]:
        """Whether ``key`` may submit ``channel`` ratings for ``center_id``; also the client id."""
        row = self._one("SELECT * FROM api_clients WHERE key_hash = ?", (hash_token(key),))
        if row is None:
            return ClientCheck.UNKNOWN, None
        return _client(row).allows(center_id, channel), row["client_id"]
