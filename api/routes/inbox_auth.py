"""Inbox login and logout: password (Argon2id) and a TOTP code, throttled, then a session.

The login form has its own CSRF token (double submit: a short-lived cookie and a hidden
field), so another site cannot log a practitioner into an account of its choosing.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select

from api.db.models import Practitioner
from api.deps import SessionDep, StateDep
from api.inbox import audit
from api.inbox.access import ActingDep, OptionalStaffDep, StoreDep
from api.inbox.credentials import totp_step, verify_password
from api.inbox.pages import render
from api.inbox.sessions import COOKIE
from api.inbox.throttle import LoginThrottle
from api.openapi import page, page_or_problem, redirect

router = APIRouter(prefix="/inbox", tags=["inbox"], include_in_schema=True)

LOGIN_COOKIE = "inbox_login"
WRONG = "The name, password or code is not right. Please try again."
PAUSED = "Too many tries. Please wait {minutes} minutes, or ask an admin for help."
EXPIRED = "The login form had expired. Please try again."


def _code_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:24]


def _login_page(
    request: Request, state: StateDep, error: str = "", code: int = 200, note: str = ""
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"csrf": token, "error": error, "note": note}, code)
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=900,
        httponly=True,
        secure=state.settings.cookie_secure,
        samesite="strict",
        path="/inbox",
    )
    return response


@router.get(
    "/login", response_class=HTMLResponse, responses={303: redirect("Already logged in: to the inbox")}
)
async def login_form(request: Request, state: StateDep, staff: OptionalStaffDep, bye: int = 0) -> Response:
    if staff is not None:
        return RedirectResponse("/inbox", status.HTTP_303_SEE_OTHER)
    return _login_page(request, state, note="You have logged out." if bye else "")


@router.post(
    "/login",
    status_code=status.HTTP_303_SEE_OTHER,
    response_class=RedirectResponse,
    responses={
        303: redirect("Logged in: to the inbox"),
        401: page("The name, password or code is not right: the form again"),
        403: page("The login form had expired: the form again"),
        429: page("Too many tries: the form again, and how long to wait"),
    },
)
async def login(
    request: Request,
    state: StateDep,
    db: SessionDep,
    store: StoreDep,
    username: Annotated[str, Form(max_length=128)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    code: Annotated[str, Form(max_length=16)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(expected.encode(), csrf_token.encode()):
        return _login_page(request, state, EXPIRED, status.HTTP_403_FORBIDDEN)
    settings = state.settings
    client = request.client.host if request.client else "unknown"
    throttle = LoginThrottle(
        state.queue,
        settings.inbox_login_limit,
        settings.inbox_login_window_minutes * 60,
        settings.inbox_login_ip_limit,
    )
    name = username.strip().lower()
    if await throttle.blocked(name, client):
        message = PAUSED.format(minutes=settings.inbox_login_window_minutes)
        return _login_page(request, state, message, status.HTTP_429_TOO_MANY_REQUESTS)
    person = await db.scalar(select(Practitioner).where(func.lower(Practitioner.username) == name))
    password_ok = verify_password(person.password_hash if person else None, password)
    step = totp_step(person.totp_secret, code) if person and password_ok else None
    # A code is good once: a replayed code (seen over a shoulder) fails.
    fresh = (
        step is not None
        and person is not None
        # Keyed by the account's secret (hashed), not its row id: deployments sharing one
        # Redis cannot block each other's codes.
        and await state.queue.set(
            f"inbox:totp-used:{_code_key(person.totp_secret)}:{step}", 1, nx=True, ex=180
        )
    )
    if person is None or not person.active or not password_ok or not fresh:
        await throttle.failed(name, client)
        audit.record(db, name[:64] or "(blank)", "login_failed")
        await db.commit()
        return _login_page(request, state, WRONG, status.HTTP_401_UNAUTHORIZED)
    await throttle.succeeded(name, client)
    token, _ = await store.create(person.id, person.role)
    audit.record(db, person.username, "login")
    await db.commit()
    response = RedirectResponse("/inbox", status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE,
        token,
        max_age=settings.inbox_absolute_hours * 3600,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/inbox")
    return response


@router.post(
    "/logout",
    status_code=status.HTTP_303_SEE_OTHER,
    response_class=RedirectResponse,
    responses={
        303: redirect("Logged out (or, a browser not logged in): to the login page"),
        401: page_or_problem("Not logged in"),
        403: page_or_problem("No or wrong CSRF token"),
    },
)
async def logout(staff: ActingDep, store: StoreDep, db: SessionDep, state: StateDep) -> Response:
    await store.end(staff.token)
    audit.record(db, staff.username, "logout")
    await db.commit()
    response = RedirectResponse("/inbox/login?bye=1", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(COOKIE, path="/", secure=state.settings.cookie_secure, httponly=True)
    return response
