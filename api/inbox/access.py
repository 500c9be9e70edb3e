"""Who is asking: the inbox session behind the cookie, CSRF checks and role rules.

Pages redirect a logged-out browser to the login page; everything else answers 401.
Every state-changing request must carry the session's CSRF token (form field
`csrf_token` or header `X-CSRF-Token`); a missing or wrong token gets 403 and changes
nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, NoReturn

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Practitioner
from api.deps import SessionDep, StateDep
from api.inbox import audit
from api.inbox.sessions import COOKIE, InboxSession, SessionStore, cookie_name

ADMIN = "admin"
ROLES = ("practitioner", ADMIN)


@dataclass
class Staff:
    id: int
    username: str
    name: str
    role: str
    session: InboxSession
    token: str
    #: Where the request came from (the direct peer, or what a trusted proxy says).
    address: str = "unknown"

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name


class LoginNeeded(Exception):
    """Raised for pages; the app turns it into a redirect to the login page."""


async def session_store(state: StateDep) -> SessionStore:
    s = state.settings
    return SessionStore(state.queue, s.inbox_idle_minutes * 60, s.inbox_absolute_hours * 3600)


StoreDep = Annotated[SessionStore, Depends(session_store)]


def client_address(request: Request) -> str:
    """The client's address: uvicorn (--proxy-headers) has already replaced the peer with the
    X-Forwarded-For client only when the peer is in FORWARDED_ALLOW_IPS."""
    return request.client.host[:64] if request.client else "unknown"


def is_live_refresh(request: Request) -> bool:
    """The event stream and the fragments the page fetches after an event or by polling: they
    read the session but do not count as the person being active."""
    return request.url.path == "/inbox/events" or bool(request.query_params.get("part"))


async def _staff(request: Request, store: SessionStore, db: SessionDep, state: StateDep) -> Staff | None:
    token = request.cookies.get(cookie_name(COOKIE, state.settings.cookie_secure))
    live = await store.get(token, touch=not is_live_refresh(request), address=client_address(request))
    if live is None or token is None:
        return None
    person = await db.get(Practitioner, live.user_id)
    if person is None or not person.active:
        await store.end(token)
        return None
    return Staff(
        person.id, person.username, person.display_name, person.role, live, token, client_address(request)
    )


async def optional_staff(request: Request, store: StoreDep, db: SessionDep, state: StateDep) -> Staff | None:
    return await _staff(request, store, db, state)


async def api_staff(request: Request, store: StoreDep, db: SessionDep, state: StateDep) -> Staff:
    staff = await _staff(request, store, db, state)
    if staff is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Please log in to the inbox.")
    return staff


async def page_staff(request: Request, store: StoreDep, db: SessionDep, state: StateDep) -> Staff:
    staff = await _staff(request, store, db, state)
    if staff is None:
        raise LoginNeeded()
    return staff


async def _given_csrf(request: Request) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


async def refuse(
    db: AsyncSession, staff: Staff, message: str, what: str, conversation_id: int | None = None
) -> NoReturn:
    """Answer 403, and write the refusal to the audit log: who tried what, from where."""
    await db.rollback()
    audit.record(db, staff.username, "access_refused", conversation_id, what, source=staff.address)
    await db.commit()
    raise HTTPException(status.HTTP_403_FORBIDDEN, message)


async def acting_staff(
    request: Request, staff: Annotated[Staff, Depends(api_staff)], db: SessionDep
) -> Staff:
    """A logged-in member of staff making a change: the CSRF token must match."""
    given = await _given_csrf(request)
    if not given or not secrets.compare_digest(given.encode(), staff.session.csrf.encode()):
        await refuse(
            db,
            staff,
            "This form has expired. Reload the page and try again.",
            f"no or a wrong CSRF token: {request.method} {request.url.path[:200]}",
        )
    return staff


async def admin_only(db: AsyncSession, staff: Staff, request: Request) -> Staff:
    if not staff.is_admin:
        await refuse(db, staff, "Only an admin can do this.", f"admin only: {request.url.path[:200]}")
    return staff


async def page_admin(request: Request, staff: Annotated[Staff, Depends(page_staff)], db: SessionDep) -> Staff:
    return await admin_only(db, staff, request)


async def api_admin(request: Request, staff: Annotated[Staff, Depends(api_staff)], db: SessionDep) -> Staff:
    return await admin_only(db, staff, request)


StaffDep = Annotated[Staff, Depends(api_staff)]
PageStaffDep = Annotated[Staff, Depends(page_staff)]
ActingDep = Annotated[Staff, Depends(acting_staff)]
PageAdminDep = Annotated[Staff, Depends(page_admin)]
OptionalStaffDep = Annotated[Staff | None, Depends(optional_staff)]
