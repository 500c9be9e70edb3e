"""Inbox login, logout, your own password and your own sessions: password (Argon2id) and a
TOTP code, throttled, then a session.

The login form has its own CSRF token (double submit: a short-lived cookie and a hidden
field), so another site cannot log a practitioner into an account of its choosing.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select

from api.db.models import Practitioner
from api.deps import SessionDep, StateDep
from api.inbox import audit, events
from api.inbox.access import ActingDep, OptionalStaffDep, PageStaffDep, Staff, StoreDep, client_address
from api.inbox.credentials import hash_password_in_thread, totp_step, verify_password_in_thread
from api.inbox.pages import banners, render
from api.inbox.sessions import COOKIE, SessionStore, cookie_name, describe_browser
from api.inbox.throttle import KNOWN_SECONDS, LoginThrottle, normal_name
from api.openapi import INBOX_PAGE, inbox_action, page, page_or_invalid, page_or_problem, redirect

router = APIRouter(prefix="/inbox", tags=["inbox"], include_in_schema=True)

LOGIN_COOKIE = "inbox_login"
#: Set at a good login: this browser is then a known place for that name (api/inbox/throttle.py).
DEVICE_COOKIE = "inbox_device"
WRONG = "The name, password or code is not right. Please try again."
PAUSED = "Too many tries. Please wait {minutes} minutes, or ask an admin for help."
NEW_PLACE = (
    "Too many tries for this name from new places. Log in from a computer you have used "
    "before, or wait {minutes} minutes, or ask an admin for help."
)
EXPIRED = "The login form had expired. Please try again."


def _code_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:24]


def _login_page(
    request: Request, state: StateDep, error: str = "", code: int = 200, note: str = ""
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"csrf": token, "error": error, "note": note}, code)
    secure = state.settings.cookie_secure
    response.set_cookie(
        cookie_name(LOGIN_COOKIE, secure),
        token,
        max_age=900,
        httponly=True,
        secure=secure,
        samesite="strict",
        path="/",
    )
    return response


@router.get(
    "/login", response_class=HTMLResponse, responses={303: redirect("Already logged in: to the inbox")}
)
async def login_form(request: Request, state: StateDep, staff: OptionalStaffDep, bye: int = 0) -> Response:
    if staff is not None:
        return RedirectResponse("/inbox", status.HTTP_303_SEE_OTHER)
    return _login_page(request, state, note="You have logged out." if bye else "")


#: The login form is three short fields and a token: anything bigger than they can be at their
#: longest (each character up to 12 bytes once UTF-8 and percent-encoded) is refused (413, plain
#: text, Starlette's limiter) while it streams in, before it is read whole.
LOGIN_BODY_LIMIT = 16 * 1024
#: The password form: three passwords of up to 1024 characters and a token.
PASSWORD_BODY_LIMIT = 40 * 1024


def too_large(what: str) -> dict[str, Any]:
    return {"description": what, "content": {"text/plain": {"schema": {"type": "string"}}}}


def throttle_for(state: StateDep) -> LoginThrottle:
    s = state.settings
    return LoginThrottle(
        state.queue,
        s.inbox_login_limit,
        s.inbox_login_window_minutes * 60,
        s.inbox_login_ip_limit,
        s.inbox_login_name_limit,
    )


def paused(request: Request, state: StateDep, refused_by: str) -> HTMLResponse:
    minutes = state.settings.inbox_login_window_minutes
    message = NEW_PLACE if refused_by == "name" else PAUSED
    return _login_page(request, state, message.format(minutes=minutes), status.HTTP_429_TOO_MANY_REQUESTS)


@router.post(
    "/login",
    status_code=status.HTTP_303_SEE_OTHER,
    response_class=RedirectResponse,
    max_body_size=LOGIN_BODY_LIMIT,
    responses={
        303: redirect("Logged in: to the inbox"),
        401: page("The name, password or code is not right: the form again"),
        403: page("The login form had expired: the form again"),
        413: too_large("The form is far bigger than a login form can be"),
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
    settings = state.settings
    secure = settings.cookie_secure
    expected = request.cookies.get(cookie_name(LOGIN_COOKIE, secure), "")
    if not expected or not secrets.compare_digest(expected.encode(), csrf_token.encode()):
        return _login_page(request, state, EXPIRED, status.HTTP_403_FORBIDDEN)
    client = client_address(request)
    name = normal_name(username)
    # Counted before the password is looked at: parallel tries cannot all slip past the limit.
    attempt = await throttle_for(state).attempt(
        name, client, request.cookies.get(cookie_name(DEVICE_COOKIE, secure))
    )
    if not attempt.allowed:
        if attempt.first_refusal:
            note = f"{attempt.refused_by} limit"
            audit.record(db, name[:64] or "(blank)", "login_throttled", note=note, source=client)
            await db.commit()
        return paused(request, state, attempt.refused_by)
    person = await db.scalar(select(Practitioner).where(func.lower(Practitioner.username) == name))
    password_ok = await verify_password_in_thread(person.password_hash if person else None, password)
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
        audit.record(db, name[:64] or "(blank)", "login_failed", source=client)
        await db.commit()
        return _login_page(request, state, WRONG, status.HTTP_401_UNAUTHORIZED)
    device = await throttle_for(state).succeeded(attempt)
    token, _ = await store.create(
        person.id, person.role, client, describe_browser(request.headers.get("user-agent"))
    )
    audit.record(db, person.username, "login", source=client)
    await db.commit()
    response = RedirectResponse("/inbox", status.HTTP_303_SEE_OTHER)
    set_session_cookie(response, state, token)
    response.set_cookie(
        cookie_name(DEVICE_COOKIE, secure),
        device,
        max_age=KNOWN_SECONDS,
        httponly=True,
        secure=secure,
        samesite="strict",
        path="/",
    )
    response.delete_cookie(cookie_name(LOGIN_COOKIE, secure), path="/", secure=secure, httponly=True)
    return response


def set_session_cookie(response: Response, state: StateDep, token: str) -> None:
    settings = state.settings
    response.set_cookie(
        cookie_name(COOKIE, settings.cookie_secure),
        token,
        max_age=settings.inbox_absolute_hours * 3600,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )


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
    return await _log_out(staff, store, db, state)


async def _log_out(staff: Staff, store: SessionStore, db: SessionDep, state: StateDep) -> Response:
    await store.end(staff.token)
    audit.record(db, staff.username, "logout", source=staff.address)
    await db.commit()
    # Open event streams check their session at every event: this one makes them look now.
    await events.publish(state.queue, "session", 0)
    response = RedirectResponse("/inbox/login?bye=1", status.HTTP_303_SEE_OTHER)
    secure = state.settings.cookie_secure
    response.delete_cookie(cookie_name(COOKIE, secure), path="/", secure=secure, httponly=True)
    return response


async def _account(
    request: Request, staff: Staff, store: SessionStore, context: dict[str, Any], code: int = 200
) -> HTMLResponse:
    sessions = await store.sessions_of(staff.id)
    return render(request, "account.html", {"staff": staff, "sessions": sessions, **context}, code)


@router.get("/account", response_class=HTMLResponse, responses=INBOX_PAGE)
async def account_page(request: Request, staff: PageStaffDep, store: StoreDep, done: str = "") -> Response:
    """Your account: change your password; see your sessions and end any of them."""
    return await _account(request, staff, store, {"done": banners({"done": done})[0]})


@router.post(
    "/account/sessions/end",
    **inbox_action(
        {
            303: redirect("Ended: back to your account (this browser's own session: to the login page)"),
            404: page_or_problem("You have no session with this id (it has ended, or is not yours)"),
        }
    ),
)
async def end_session(
    state: StateDep,
    db: SessionDep,
    store: StoreDep,
    staff: ActingDep,
    session_id: Annotated[str, Form(min_length=1, max_length=64)],
) -> Response:
    """End one of your own sessions (a browser left logged in elsewhere): it is logged out at
    once, its open event stream included. Only your own: another person's id is not found."""
    if secrets.compare_digest(session_id.encode(), staff.session.sid.encode()):
        return await _log_out(staff, store, db, state)
    ended = await store.end_one(staff.id, session_id)
    if ended is None:
        what = "end a session not theirs, or ended"
        audit.record(db, staff.username, "access_refused", note=what, source=staff.address)
        await db.commit()
        raise HTTPException(status.HTTP_404_NOT_FOUND, "You have no session with this id: it may have ended.")
    note = f"{ended.browser}, logged in from {ended.address}"
    audit.record(db, staff.username, "session_ended", note=note, source=staff.address)
    await db.commit()
    await events.publish(state.queue, "session", 0)
    return RedirectResponse("/inbox/account?done=session_ended", status.HTTP_303_SEE_OTHER)


@router.post("/account/sessions/end-others", **inbox_action({303: redirect("Ended: back to your account")}))
async def end_other_sessions(state: StateDep, db: SessionDep, store: StoreDep, staff: ActingDep) -> Response:
    """End every session of yours but this browser's."""
    ended = await store.end_others(staff.id, staff.token)
    audit.record(db, staff.username, "other_sessions_ended", note=f"{ended} ended", source=staff.address)
    await db.commit()
    await events.publish(state.queue, "session", 0)
    return RedirectResponse("/inbox/account?done=others_ended", status.HTTP_303_SEE_OTHER)


@router.post(
    "/account/password",
    max_body_size=PASSWORD_BODY_LIMIT,
    **inbox_action(
        {
            413: too_large("The form is far bigger than a password form can be"),
            422: page_or_invalid("The current password is wrong, or the new one is refused: the form again"),
            429: page("Too many wrong current passwords: the form again, and how long to wait"),
        }
    ),
)
async def change_password(
    request: Request,
    state: StateDep,
    db: SessionDep,
    store: StoreDep,
    staff: ActingDep,
    current: Annotated[str, Form(max_length=1024)] = "",
    new: Annotated[str, Form(max_length=1024)] = "",
    again: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Change your own password: the current one is needed (and its tries are counted like
    logins). Every session of yours ends; this browser gets a new one."""

    async def refuse(message: str, code: int = status.HTTP_422_UNPROCESSABLE_CONTENT) -> Response:
        return await _account(request, staff, store, {"error": message}, code)

    person = await db.get(Practitioner, staff.id)
    assert person is not None  # the session was checked against an active account
    attempt = await throttle_for(state).attempt(staff.username, staff.address)
    if not attempt.allowed:
        minutes = state.settings.inbox_login_window_minutes
        return await refuse(PAUSED.format(minutes=minutes), status.HTTP_429_TOO_MANY_REQUESTS)
    throttle = throttle_for(state)
    if not await verify_password_in_thread(person.password_hash, current):
        return await refuse("Your current password is not right.")
    await throttle.forget(attempt)
    if new != again:
        return await refuse("The two new passwords are not the same.")
    if new == current:
        return await refuse("The new password must be different from the current one.")
    try:
        person.password_hash = await hash_password_in_thread(new, person.username, person.display_name)
    except ValueError as problem:
        return await refuse(str(problem))
    audit.record(db, staff.username, "password_changed", source=staff.address)
    await db.commit()
    await store.end_all_for(staff.id)
    await events.publish(state.queue, "session", 0)
    token, _ = await store.create(
        person.id, person.role, staff.address, describe_browser(request.headers.get("user-agent"))
    )
    response = RedirectResponse("/inbox/account?done=password_changed", status.HTTP_303_SEE_OTHER)
    set_session_cookie(response, state, token)
    return response
