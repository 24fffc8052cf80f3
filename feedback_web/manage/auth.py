"""Who is asking: sign-in, sign-out and set-password pages, and the credential checks.

- A browser signs in at ``/manage/sign-in`` (e-mail and password, argon2-checked) and gets
  a signed session cookie (``sessions``); each form carries a CSRF token.
- ``users add`` prints ``/manage/set-password#token=…``: the token stays in the fragment
  (never in a server log); the page's form sends it with the new password.
- An integration calls the cases API with ``Authorization: Bearer mt_…`` (``users token``)
  or a session cookie; ``Gate.api_user`` answers 401 without either.

Failed sign-ins are limited per e-mail address in the shared rate-limit store. argon2 costs
~0.1-0.5 s of CPU and 64 MiB per check, so sign-ins and new passwords run on their own two
threads (``in_hashing_thread``): a burst of them never holds the database threads ratings use.
"""

from __future__ import annotations

import asyncio
import functools
import math
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from dost_channels.db.offload import in_db_thread
from dost_channels.tokens import bearer_token
from dost_channels.users import ManagerUsers, User, UserError, check_password
from dost_contract.settings import Settings
from feedback_web.manage import html, texts
from feedback_web.manage.sessions import CSRF_COOKIE, SESSION_COOKIE, SessionSigner
from feedback_web.rate_limit import TokenBucket

LANGUAGE_COOKIE = "manage_lang"
CSRF_HEADER = "x-csrf-token"  # a session's API writes carry the CSRF token here
NO_STORE = {"Cache-Control": "no-store"}
SET_PASSWORD_SCRIPT = (
    # The link's token is in the fragment; move it into the form and out of the address bar.
    "<script>(function(){var m=location.hash.match(/token=([^&]+)/);if(m){"
    "document.getElementById('token').value=decodeURIComponent(m[1]);"
    "history.replaceState(null,'',location.pathname+location.search);}})();</script>"
)


HASHING_THREADS = 2
_HASHING = ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="dost-argon2")


async def in_hashing_thread(function, *args):
    """``function(*args)`` (an argon2 hash or verification) on the hashing threads."""
    return await asyncio.get_running_loop().run_in_executor(_HASHING, functools.partial(function, *args))


class Unauthorized(Exception):
    """The API was called without a valid manager credential (answered 401)."""


class CsrfRefused(Exception):
    """A session-authenticated API write without its CSRF token (answered 403)."""


class Gate:
    """The users store, the session signer and the per-request questions: who, which language, CSRF."""

    def __init__(self, settings: Settings, users: ManagerUsers, signin_limiter: TokenBucket) -> None:
        self.settings = settings
        self.users = users
        self.signer = SessionSigner(settings.session_secret.get_secret_value(), settings.session_hours * 3600)
        self.signin_limiter = signin_limiter

    # --- Who -----------------------------------------------------------------------------

    def session_user(self, request: Request) -> User | None:
        session = self.signer.verify(request.cookies.get(SESSION_COOKIE))
        if session is None:
            return None
        user = self.users.user(session.user_id)
        if user is None or user.disabled_at is not None or user.password_stamp != session.password_stamp:
            return None
        return user

    async def page_user(self, request: Request) -> User | None:
        return await in_db_thread(self.session_user, request)

    async def api_user(self, request: Request, *, writes: bool = False) -> User:
        """A manager's bearer token or session, else ``Unauthorized``. A call that ``writes`` with
        a session (not a token) must also send the page's CSRF token as ``X-CSRF-Token``."""
        token = bearer_token(request.headers.get("authorization"))
        if token:
            user = await in_db_thread(self.users.api_token_user, token)
        else:
            user = await self.page_user(request)
            if user is not None and writes and not self.csrf_ok(request, request.headers.get(CSRF_HEADER)):
                raise CsrfRefused()
        if user is None:
            raise Unauthorized()
        return user

    # --- Language and CSRF --------------------------------------------------------------

    @staticmethod
    def language(request: Request) -> str:
        return texts.pick_language(request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE),
                                   request.headers.get("accept-language"))

    def csrf_nonce(self, request: Request) -> str:
        """This browser's CSRF nonce: its cookie, or one made now (and set by ``respond``)."""
        nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_nonce", None)
        if nonce is None:
            nonce = request.state.csrf_nonce = self.signer.new_nonce()
        return nonce

    def csrf(self, request: Request) -> str:
        return self.signer.csrf_token(self.csrf_nonce(request))

    def csrf_ok(self, request: Request, token: str | None) -> bool:
        return self.signer.csrf_ok(request.cookies.get(CSRF_COOKIE), token)

    def respond(self, request: Request, response: Response) -> Response:
        """Set the CSRF and language cookies this request needs."""
        secure = self.settings.session_cookie_secure
        if CSRF_COOKIE not in request.cookies:
            # Path "/": the cases API's session writes check it too.
            response.set_cookie(CSRF_COOKIE, self.csrf_nonce(request), httponly=True, samesite="strict",
                                secure=secure, path="/")
        if request.query_params.get("lang") in texts.LANGUAGES:
            response.set_cookie(LANGUAGE_COOKIE, request.query_params["lang"], samesite="lax", secure=secure,
                                path="/manage", max_age=365 * 86400)
        return response

    def html(self, request: Request, title_key: str, body: str, *, user: User | None = None, status: int = 200,
             title_values: dict[str, str] | None = None, query: dict[str, str] | None = None) -> Response:
        language = self.language(request)
        document = html.page(language=language, title=texts.text(title_key, language, **(title_values or {})),
                             body=body, path=request.url.path, csrf=self.csrf(request),
                             email=user.email if user else None, query=query)
        return self.respond(request, HTMLResponse(document, status_code=status, headers=NO_STORE))

    def csrf_refused(self, request: Request, user: User | None = None) -> Response:
        return self.html(request, "error_csrf", html.message("error", texts.text("error_csrf",
                                                                                  self.language(request))),
                         user=user, status=403)

    def sign_in_redirect(self) -> RedirectResponse:
        return RedirectResponse("/manage/sign-in", status_code=303)


def csrf_refused_response() -> JSONResponse:
    return JSONResponse(status_code=403, content={
        "detail": "a write with a /manage session needs the page's CSRF token in X-CSRF-Token "
                  "(integrations: use a bearer token instead)", "code": "csrf_token_missing"})


def unauthorized_response() -> JSONResponse:
    return JSONResponse(status_code=401, headers={"WWW-Authenticate": "Bearer"}, content={
        "detail": "a manager's credential is required: Authorization: Bearer <token from "
                  "'dost-feedback users token --email …'>, or a /manage session", "code": "manager_credential_missing"})


def _sign_in_form(gate: Gate, request: Request, error: str | None = None, notice: str | None = None,
                  email: str = "") -> str:
    language = gate.language(request)
    return (f'{html.message("error", error)}{html.message("notice", notice)}'
            f'<form method="post" action="/manage/sign-in">{html.csrf_field(gate.csrf(request))}'
            f'<label for="email">{html.t("email", language)}</label>'
            f'<input id="email" name="email" type="email" autocomplete="username" required '
            f'value="{html.escape(email)}">'
            f'<label for="password">{html.t("password", language)}</label>'
            f'<input id="password" name="password" type="password" autocomplete="current-password" required>'
            f'<div><button type="submit">{html.t("sign_in", language)}</button></div></form>')


def _set_password_form(gate: Gate, request: Request, error: str | None = None) -> str:
    language = gate.language(request)
    return (f'{html.message("error", error)}'
            f'<form method="post" action="/manage/set-password">{html.csrf_field(gate.csrf(request))}'
            f'<input type="hidden" id="token" name="token" value="">'
            f'<label for="password">{html.t("password", language)}</label>'
            f'<input id="password" name="password" type="password" autocomplete="new-password" minlength="12" '
            f'required aria-describedby="password-hint"><p id="password-hint">{html.t("password_hint", language)}</p>'
            f'<label for="password2">{html.t("password_again", language)}</label>'
            f'<input id="password2" name="password2" type="password" autocomplete="new-password" required>'
            f'<div><button type="submit">{html.t("set_password", language)}</button></div></form>'
            f'{SET_PASSWORD_SCRIPT}')


def auth_router(gate: Gate) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/manage")
    async def manage_home(request: Request) -> Response:
        user = await gate.page_user(request)
        return RedirectResponse("/manage/cases" if user else "/manage/sign-in", status_code=303)

    @router.get("/manage/sign-in")
    async def sign_in_page(request: Request) -> Response:
        if await gate.page_user(request):
            return RedirectResponse("/manage/cases", status_code=303)
        notice = texts.text("password_saved", gate.language(request)) if "saved" in request.query_params else None
        return gate.html(request, "sign_in_title", _sign_in_form(gate, request, notice=notice))

    @router.post("/manage/sign-in")
    async def sign_in(request: Request, email: str = Form(""), password: str = Form(""),
                      csrf: str = Form("")) -> Response:
        if not gate.csrf_ok(request, csrf):
            return gate.csrf_refused(request)
        language = gate.language(request)
        wait = await in_db_thread(gate.signin_limiter.acquire, f"signin:{email.strip().lower()}")
        if wait > 0:
            body = _sign_in_form(gate, request, error=texts.text("error_too_many", language), email=email)
            response = gate.html(request, "sign_in_title", body, status=429)
            response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
            return response
        user = await in_hashing_thread(gate.users.authenticate, email, password)
        if user is None:
            body = _sign_in_form(gate, request, error=texts.text("error_sign_in", language), email=email)
            return gate.html(request, "sign_in_title", body, status=401)
        response = RedirectResponse("/manage/cases", status_code=303)
        response.set_cookie(SESSION_COOKIE, gate.signer.sign(user.user_id, user.password_stamp), httponly=True,
                            samesite="lax", secure=gate.settings.session_cookie_secure,
                            max_age=int(gate.settings.session_hours * 3600), path="/")
        return gate.respond(request, response)

    @router.post("/manage/sign-out")
    async def sign_out(request: Request, csrf: str = Form("")) -> Response:
        if not gate.csrf_ok(request, csrf):
            return gate.csrf_refused(request)
        response = gate.sign_in_redirect()
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @router.get("/manage/set-password")
    async def set_password_page(request: Request) -> Response:
        return gate.html(request, "set_password_title", _set_password_form(gate, request))

    @router.post("/manage/set-password")
    async def set_password(request: Request, token: str = Form(""), password: str = Form(""),
                           password2: str = Form(""), csrf: str = Form("")) -> Response:
        if not gate.csrf_ok(request, csrf):
            return gate.csrf_refused(request)
        language = gate.language(request)
        error = None
        if password != password2:
            error = texts.text("error_password_mismatch", language)
        else:
            try:
                check_password(password)
            except UserError:
                error = texts.text("error_password_short", language)
        if error is None and (not token or await in_hashing_thread(gate.users.set_password, token, password) is None):
            error = texts.text("error_link", language)
        if error is not None:
            return gate.html(request, "set_password_title", _set_password_form(gate, request, error), status=400)
        return RedirectResponse("/manage/sign-in?saved=1", status_code=303)

    return router
