"""Managers' accounts on real SQLite and PostgreSQL: argon2 hashes, one-time links, scope, API tokens."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from dost_channels.tokens import hash_token
from dost_channels.users import ManagerUsers, Role, UserError, scope_centers

# The cheapest argon2id parameters argon2-cffi accepts: the tests check the logic, not the cost.
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
REGIONS = {"baku-1": "Baku", "baku-2": "Baku", "karabakh-barda": "Karabakh", "karabakh-shusha": "Karabakh"}
PASSWORD = "correct horse battery"


def test_a_link_sets_the_password_once_and_only_its_argon2_hash_is_stored(tmp_path):
    users = ManagerUsers(tmp_path / "u.sqlite3", hasher=FAST)
    user = users.add_user(" Leyla@Example.AZ ", "manager", centers=["baku-1", "baku-1"])
    assert (user.email, user.role, user.centers, user.has_password) == ("leyla@example.az", Role.MANAGER,
                                                                       ("baku-1",), False)
    assert users.authenticate("leyla@example.az", "") is None  # no password yet: nothing signs in
    link = users.issue_password_link(user.user_id, valid_seconds=3600)
    assert users.password_link_user(link).user_id == user.user_id
    with pytest.raises(UserError, match="at least 12"):
        users.set_password(link, "short")
    assert users.set_password(link, PASSWORD).has_password
    assert users.set_password(link, "another long password") is None  # claimed once
    assert users.password_link_user(link) is None
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("u.sqlite3*"))
    assert PASSWORD.encode() not in raw and link.encode() not in raw and hash_token(link).encode() in raw
    assert b"$argon2id$" in raw
    signed_in = users.authenticate("LEYLA@example.az", PASSWORD)
    assert signed_in.user_id == user.user_id
    assert users.authenticate("leyla@example.az", PASSWORD + "x") is None
    assert users.authenticate("nobody@example.az", PASSWORD) is None


def test_a_new_password_changes_the_stamp_and_an_expired_link_is_refused(db_target):
    users = ManagerUsers(db_target, hasher=FAST)
    user = users.add_user("a@example.az", "admin")
    first = users.set_password(users.issue_password_link(user.user_id, 3600), PASSWORD)
    second = users.set_password(users.issue_password_link(user.user_id, 3600), "a different password")
    assert first.password_stamp != second.password_stamp  # sessions signed with the first stop working
    expired = users.issue_password_link(user.user_id, valid_seconds=60, now=1000.0)
    assert users.password_link_user(expired, now=1061.0) is None
    assert users.set_password(expired, PASSWORD, now=1061.0) is None


def test_a_disabled_user_cannot_sign_in_or_use_a_token(db_target):
    users = ManagerUsers(db_target, hasher=FAST)
    user = users.add_user("r@example.az", "regional", region="Karabakh")
    users.set_password(users.issue_password_link(user.user_id, 3600), PASSWORD)
    token = users.issue_api_token(user.user_id)
    assert token.startswith("mt_") and users.api_token_user(token).user_id == user.user_id
    assert users.disable_user("r@example.az") and not users.disable_user("r@example.az")
    assert users.authenticate("r@example.az", PASSWORD) is None
    assert users.api_token_user(token) is None


def test_api_tokens_revoke(db_target):
    users = ManagerUsers(db_target, hasher=FAST)
    user = users.add_user("m@example.az", "manager", centers=["baku-2"])
    token = users.issue_api_token(user.user_id)
    assert users.api_token_user("mt_unknown") is None and users.api_token_user("ck_" + token[3:]) is None
    assert users.revoke_api_tokens(user.user_id) == 1
    assert users.api_token_user(token) is None


def test_an_old_hash_is_rehashed_on_sign_in(tmp_path):
    old = ManagerUsers(tmp_path / "u.sqlite3", hasher=FAST)
    user = old.add_user("m@example.az", "manager", centers=["baku-1"])
    stamp = old.set_password(old.issue_password_link(user.user_id, 3600), PASSWORD).password_stamp
    stronger = ManagerUsers(tmp_path / "u.sqlite3", hasher=PasswordHasher(time_cost=2, memory_cost=16,
                                                                          parallelism=1))
    assert stronger.authenticate("m@example.az", PASSWORD).password_stamp != stamp
    assert stronger.authenticate("m@example.az", PASSWORD) is not None


@pytest.mark.parametrize("role,centers,region,match", [
    ("manager", [], None, "needs --center"),
    ("manager", ["baku-1"], "Baku", "no --region"),
    ("regional", [], None, "needs --region"),
    ("admin", ["baku-1"], None, "neither"),
    ("boss", [], None, "one of manager, regional, admin"),
])
def test_bad_definitions_say_what_to_give(tmp_path, role, centers, region, match):
    with pytest.raises(UserError, match=match):
        ManagerUsers(tmp_path / "u.sqlite3", hasher=FAST).add_user("x@example.az", role, centers, region)


def test_an_email_is_one_user(tmp_path):
    users = ManagerUsers(tmp_path / "u.sqlite3", hasher=FAST)
    users.add_user("x@example.az", "admin")
    with pytest.raises(UserError, match="exists already"):
        users.add_user("X@example.az", "admin")
    with pytest.raises(UserError, match="not an e-mail"):
        users.add_user("x-at-example", "admin")


def test_scope_by_role(tmp_path):
    users = ManagerUsers(tmp_path / "u.sqlite3", hasher=FAST)
    manager = users.add_user("m@example.az", "manager", centers=["baku-2"])
    regional = users.add_user("r@example.az", "regional", region="Karabakh")
    admin = users.add_user("a@example.az", "admin")
    assert scope_centers(manager, REGIONS) == {"baku-2"}
    assert scope_centers(regional, REGIONS) == {"karabakh-barda", "karabakh-shusha"}
    assert scope_centers(admin, REGIONS) == set(REGIONS)
    users.disable_user("a@example.az")
    assert scope_centers(users.user(admin.user_id), REGIONS) == set()
