"""Managers' accounts for ``/manage`` and the cases API: argon2 password hashes, roles, scope.

- A **role** is ``manager`` (their own centers), ``regional`` (every center of a region) or
  ``admin`` (every center). ``scope_centers`` turns a user into the center ids they may see.
- ``dost-feedback users add`` creates a user with no password and a one-time set-password
  link (``issue_password_link``); the link's token is 256 random bits stored as its SHA-256
  hash, valid ``DOST_PASSWORD_LINK_HOURS`` and claimed once (one conditional UPDATE).
- Passwords are stored only as argon2id hashes (``argon2-cffi``'s ``PasswordHasher``, its
  RFC 9106 low-memory defaults); an old hash is re-hashed on the next sign-in.
- ``issue_api_token`` makes a personal bearer token (``mt_…``) for integrations, stored as a
  hash and acting with its user's role and scope.

Tables ``manager_users`` and ``manager_tokens`` (``dost_channels.db.schema``, revision 0003).
"""

from __future__ import annotations

import json
import re
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dost_channels.db.access import Database
from dost_channels.tokens import hash_token

API_TOKEN_PREFIX = "mt_"
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; this bounds the work a request can ask for
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Role(StrEnum):
    MANAGER = "manager"
    REGIONAL = "regional"
    ADMIN = "admin"


class TokenPurpose(StrEnum):
    SET_PASSWORD = "set_password"
    API = "api"


class UserError(ValueError):
    """A bad user definition or password; the message says what to give instead."""


@dataclass(frozen=True)
class User:
    user_id: str
    email: str
    role: Role
    centers: tuple[str, ...]  # a manager's centers; empty for the other roles
    region: str | None  # a regional user's region
    created_at: float
    disabled_at: float | None
    has_password: bool
    # Changes whenever the password does: a session signed before a password change stops working.
    password_stamp: str


def scope_centers(user: User, center_regions: Mapping[str, str]) -> frozenset[str]:
    """The center ids ``user`` may see and act on (``center_regions``: center id -> region)."""
    if user.disabled_at is not None:
        return frozenset()
    if user.role == Role.ADMIN:
        return frozenset(center_regions)
    if user.role == Role.REGIONAL:
        return frozenset(c for c, region in center_regions.items() if region == user.region)
    return frozenset(user.centers)


def check_definition(email: str, role: str, centers: list[str], region: str | None) -> tuple[str, Role]:
    """The normalised e-mail and role, or ``UserError`` naming what is wrong."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise UserError(f"--email {email!r} is not an e-mail address")
    try:
        role = Role(role)
    except ValueError:
        raise UserError(f"--role must be one of {', '.join(r.value for r in Role)}; got {role!r}") from None
    if role == Role.MANAGER and (not centers or region):
        raise UserError("a manager needs --center (one or more, repeat it) and no --region")
    if role == Role.REGIONAL and (not region or centers):
        raise UserError("a regional user needs --region and no --center")
    if role == Role.ADMIN and (centers or region):
        raise UserError("an admin sees every center: give neither --center nor --region")
    return email, role


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"the password may have at most {MAX_PASSWORD_LENGTH} characters")


def _stamp(password_hash: str | None) -> str:
    return hash_token(password_hash or "")[:16]


def _user(row) -> User:
    return User(row["user_id"], row["email"], Role(row["role"]), tuple(json.loads(row["centers"])), row["region"],
                row["created_at"], row["disabled_at"], row["password_hash"] is not None,
                _stamp(row["password_hash"]))


class ManagerUsers(Database):
    """The ``manager_users`` and ``manager_tokens`` tables; every method is one short transaction."""

    def __init__(self, target: str | Path, hasher: PasswordHasher | None = None) -> None:
        super().__init__(target)
        self.hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    @property
    def _dummy_hash(self) -> str:
        """Verifying against this costs what a real verification does: an unknown e-mail takes
        as long to refuse as a wrong password (no user enumeration by timing). Made on first use."""
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_hex(16))
        return self._dummy

    def add_user(self, email: str, role: str, centers: list[str] | None = None, region: str | None = None,
                 now: float | None = None) -> User:
        """A new user without a password (``issue_password_link`` gives them one). ``UserError``
        for a bad definition or an e-mail already taken."""
        centers = list(dict.fromkeys(centers or []))
        email, role = check_definition(email, role, centers, region)
        if self.user_by_email(email) is not None:
            raise UserError(f"a user {email!r} exists already (see 'dost-feedback users list')")
        user_id = f"u-{uuid.uuid4().hex[:12]}"
        self._write(
            "INSERT INTO manager_users (user_id, email, role, centers, region, created_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (user_id, email, role.value, json.dumps(centers), region, time.time() if now is None else now),
        )
        user = self.user_by_email(email)
        if user is None or user.user_id != user_id:
            raise UserError(f"a user {email!r} exists already (see 'dost-feedback users list')")
        return user

    def users(self) -> list[User]:
        return [_user(row) for row in self._all("SELECT * FROM manager_users ORDER BY email")]

    def user(self, user_id: str) -> User | None:
        row = self._one("SELECT * FROM manager_users WHERE user_id = ?", (user_id,))
        return _user(row) if row else None

    def user_by_email(self, email: str) -> User | None:
        row = self._one("SELECT * FROM manager_users WHERE email = ?", (email.strip().lower(),))
        return _user(row) if row else None

    def disable_user(self, email: str, now: float | None = None) -> bool:
        """True if the user existed and was active; their sessions and tokens stop working at once."""
        return bool(self._write("UPDATE manager_users SET disabled_at = ? WHERE email = ? AND disabled_at IS NULL",
                                (time.time() if now is None else now, email.strip().lower())))

    # --- Passwords ---------------------------------------------------------------------

    def issue_password_link(self, user_id: str, valid_seconds: float, now: float | None = None) -> str:
        """A one-time token to set (or reset) the user's password; only its hash is stored."""
        now = time.time() if now is None else now
        token = secrets.token_urlsafe(32)
        self._write("INSERT INTO manager_tokens (token_hash, user_id, purpose, created_at, expires_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (hash_token(token), user_id, TokenPurpose.SET_PASSWORD.value, now, now + valid_seconds))
        return token

    def password_link_user(self, token: str, now: float | None = None) -> User | None:
        """The active user a still-valid, unused set-password link belongs to."""
        row = self._one(
            "SELECT u.* FROM manager_tokens t JOIN manager_users u ON u.user_id = t.user_id "
            "WHERE t.token_hash = ? AND t.purpose = ? AND t.used_at IS NULL AND t.expires_at > ? "
            "AND u.disabled_at IS NULL",
            (hash_token(token), TokenPurpose.SET_PASSWORD.value, time.time() if now is None else now))
        return _user(row) if row else None

    def set_password(self, token: str, password: str, now: float | None = None) -> User | None:
        """Claim the link once and store the password's argon2 hash; None if the link is not valid."""
        check_password(password)
        now = time.time() if now is None else now
        password_hash = self.hasher.hash(password)
        with self._transaction() as tx:
            row = tx.one("SELECT user_id FROM manager_tokens WHERE token_hash = ? AND purpose = ? "
                         "AND used_at IS NULL AND expires_at > ?" + tx.for_update,
                         (hash_token(token), TokenPurpose.SET_PASSWORD.value, now))
            if row is None or not tx.write("UPDATE manager_tokens SET used_at = ? WHERE token_hash = ? "
                                           "AND used_at IS NULL", (now, hash_token(token))):
                return None
            if not tx.write("UPDATE manager_users SET password_hash = ? WHERE user_id = ? AND disabled_at IS NULL",
                            (password_hash, row["user_id"])):
                return None
        return self.user(row["user_id"])

    def authenticate(self, email: str, password: str) -> User | None:
        """The active user with this e-mail and password, else None (in about the same time)."""
        row = self._one("SELECT * FROM manager_users WHERE email = ?", (email.strip().lower(),))
        stored = row["password_hash"] if row is not None else None
        try:
            self.hasher.verify(stored or self._dummy_hash, password[:MAX_PASSWORD_LENGTH])
        except (VerificationError, InvalidHashError):
            return None
        if row is None or stored is None or row["disabled_at"] is not None:
            return None
        if self.hasher.check_needs_rehash(stored):
            self._write("UPDATE manager_users SET password_hash = ? WHERE user_id = ? AND password_hash = ?",
                        (self.hasher.hash(password), row["user_id"], stored))
            return self.user(row["user_id"])
        return _user(row)

    # --- API tokens for integrations ---------------------------------------------------

    def issue_api_token(self, user_id: str, now: float | None = None) -> str:
        """A bearer token (shown once) that acts as this user on the cases API."""
        token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = time.time() if now is None else now
        self._write("INSERT INTO manager_tokens (token_hash, user_id, purpose, created_at, expires_at) "
                    "VALUES (?, ?, ?, ?, NULL)", (hash_token(token), user_id, TokenPurpose.API.value, now))
        return token

    def api_token_user(self, token: str) -> User | None:
        """The active user of an unrevoked API token."""
        if not token.startswith(API_TOKEN_PREFIX):
            return None
        row = self._one("SELECT u.* FROM manager_tokens t JOIN manager_users u ON u.user_id = t.user_id "
                        "WHERE t.token_hash = ? AND t.purpose = ? AND t.used_at IS NULL AND u.disabled_at IS NULL",
                        (hash_token(token), TokenPurpose.API.value))
        return _user(row) if row else None

    def revoke_api_tokens(self, user_id: str, now: float | None = None) -> int:
        """Revoke every API token of the user; returns how many."""
        return self._write("UPDATE manager_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? "
                           "AND used_at IS NULL", (time.time() if now is None else now, user_id,
                                                   TokenPurpose.API.value))
