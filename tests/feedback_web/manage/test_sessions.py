"""Session cookies and CSRF tokens: signed, expiring, bound to the password and the browser."""

from __future__ import annotations

import pytest

from feedback_web.manage.sessions import SessionSigner

SIGNER = SessionSigner("secret", session_seconds=3600)


def test_a_session_round_trips_until_it_expires():
    cookie = SIGNER.sign("u-1", "stamp", now=1000.0)
    assert SIGNER.verify(cookie, now=1001.0).user_id == "u-1"
    assert SIGNER.verify(cookie, now=1000.0 + 3600) is None


@pytest.mark.parametrize("tamper", [
    lambda c: c.replace("u-1", "u-2", 1),
    lambda c: c.replace(".stamp.", ".other.", 1),
    lambda c: c[:-1] + ("0" if c[-1] != "0" else "1"),
    lambda c: c.rsplit(".", 2)[0] + ".99999999999." + c.rsplit(".", 1)[1],
    lambda c: c + ".x",
    lambda c: "",
])
def test_a_changed_cookie_is_refused(tamper):
    assert SIGNER.verify(tamper(SIGNER.sign("u-1", "stamp", now=1000.0)), now=1001.0) is None


def test_another_secret_does_not_verify():
    assert SessionSigner("other", 3600).verify(SIGNER.sign("u-1", "stamp", now=1000.0), now=1001.0) is None
    with pytest.raises(ValueError, match="DOST_SESSION_SECRET"):
        SessionSigner("", 3600)


def test_csrf_token_matches_only_its_nonce():
    nonce = SIGNER.new_nonce()
    token = SIGNER.csrf_token(nonce)
    assert SIGNER.csrf_ok(nonce, token)
    assert not SIGNER.csrf_ok(SIGNER.new_nonce(), token)
    assert not SIGNER.csrf_ok(nonce, None) and not SIGNER.csrf_ok(None, token)
    assert SIGNER.csrf_token(nonce) != SIGNER._mac("session:" + nonce)  # a session MAC is no CSRF token
