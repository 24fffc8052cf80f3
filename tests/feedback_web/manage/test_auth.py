"""Sign-in, set-password, sessions and CSRF on the real web (a real process on the session's state)."""

from __future__ import annotations

import httpx
import pytest

from feedback_web.manage import texts
from feedback_web.manage.sessions import CSRF_COOKIE, SESSION_COOKIE
from tests.feedback_web.manage.conftest import PASSWORD, csrf_of, sign_in

pytestmark = pytest.mark.services


def test_a_link_sets_the_password_once_and_the_session_cookie_is_httponly_samesite(web, add_manager):
    email, token = add_manager("--role", "admin")
    client = sign_in(web.url, email, token)
    cookie = next(c for c in client.cookies.jar if c.name == SESSION_COOKIE)
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.get_nonstandard_attr("SameSite").lower() == "lax"
    assert client.get("/manage").headers["location"] == "/manage/cases"
    assert client.get("/manage/cases").status_code == 200
    # The link works once.
    page = client.get("/manage/set-password").text
    again = client.post("/manage/set-password", data={"token": token, "password": PASSWORD, "password2": PASSWORD,
                                                       "csrf": csrf_of(page)})
    assert again.status_code == 400 and texts.text("error_link", "az") in again.text
    # Signing out ends the session.
    out = client.post("/manage/sign-out", data={"csrf": csrf_of(client.get("/manage/cases").text)})
    assert out.status_code == 303 and client.get("/manage/cases").headers["location"] == "/manage/sign-in"


def test_wrong_password_csrf_and_forged_session_are_refused(web, add_manager):
    email, token = add_manager("--role", "manager", "--center", "baku-1")
    sign_in(web.url, email, token)
    client = httpx.Client(base_url=web.url, timeout=30)
    page = client.get("/manage/sign-in?lang=en").text
    assert '<html lang="en">' in page and client.cookies.get(CSRF_COOKIE)
    wrong = client.post("/manage/sign-in", data={"email": email, "password": "not the password", "csrf": csrf_of(page)})
    assert wrong.status_code == 401 and "Wrong e-mail or password." in wrong.text
    no_csrf = client.post("/manage/sign-in", data={"email": email, "password": PASSWORD, "csrf": "forged"})
    assert no_csrf.status_code == 403 and SESSION_COOKIE not in no_csrf.cookies
    other_browser = httpx.post(f"{web.url}/manage/sign-in", data={"email": email, "password": PASSWORD,
                                                                  "csrf": csrf_of(page)})
    assert other_browser.status_code == 403  # a token without its cookie is worthless
    forged = httpx.get(f"{web.url}/manage/cases", cookies={SESSION_COOKIE: "u-1.stamp.99999999999.deadbeef"})
    assert forged.status_code == 303 and forged.headers["location"] == "/manage/sign-in"


def test_the_pages_speak_az_ru_en(web):
    for language, title in (("az", "Menecer girişi"), ("ru", "Вход для руководителей"), ("en", "Managers' sign-in")):
        page = httpx.get(f"{web.url}/manage/sign-in?lang={language}").text
        assert f'<html lang="{language}">' in page and title.replace("'", "&#x27;") in page
