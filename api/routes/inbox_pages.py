"""Inbox pages: the queue, one conversation, the audit log (admins), and live events.

Every team member can read the queue and any conversation (the team shares the work);
each view of a conversation is written to the audit log. Fragments (`?part=...`) are
what the page's script fetches after a live event.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from sqlalchemy import select

from api.db.models import AuditEvent, Owner, utcnow
from api.deps import RowId, SessionDep, StateDep
from api.erasure import export
from api.i18n import render as render_message
from api.inbox import audit, events, views
from api.inbox.access import PageAdminDep, PageStaffDep, Staff, StaffDep, StoreDep
from api.inbox.compose import CANNED, sms_info, whatsapp_window_open
from api.inbox.pages import banners, render, waited
from api.languages import load_languages
from api.messages import MESSAGES
from api.openapi import INBOX_PAGE, page, page_or_problem

router = APIRouter(prefix="/inbox", tags=["inbox"])
#: An open event stream checks its session at least this often, even when nothing happens.
LIVE_PING_SECONDS = 5.0


@router.get("", response_class=HTMLResponse, responses=INBOX_PAGE)
async def queue_page(request: Request, staff: PageStaffDep, db: SessionDep, part: str = "") -> Response:
    f = views.QueueFilter.parse(dict(request.query_params), list(load_languages()))
    now = utcnow()
    context = {
        "staff": staff,
        "filter": f,
        "rows": await views.queue(db, f, staff.id),
        "counts": await views.counts(db, staff.id),
        "waited": lambda value: waited(value, now),
    }
    return render(request, "_queue.html" if part == "queue" else "queue.html", context)


def _canned_previews(language: str, staff_first_name: str) -> list[dict[str, str]]:
    params = {"name": staff_first_name}
    return [
        {
            "key": c.key,
            "shortcut": c.shortcut,
            "label": c.label,
            "english": MESSAGES[c.key] % params if "%(" in MESSAGES[c.key] else MESSAGES[c.key],
            "resident": render_message(c.key, language, params)[1],
        }
        for c in CANNED
    ]


@router.get(
    "/conversations/{conversation_id}",
    response_class=HTMLResponse,
    responses={**INBOX_PAGE, 404: page("There is no such conversation")},
)
async def conversation_page(
    request: Request,
    state: StateDep,
    staff: PageStaffDep,
    db: SessionDep,
    conversation_id: RowId,
    part: str = "",
) -> Response:
    done, error = banners(dict(request.query_params))
    return await conversation_response(
        request,
        state,
        staff,
        db,
        conversation_id,
        part=part,
        done=done,
        error=error,
        viewed=part not in ("transcript", "panel"),
    )


async def conversation_response(
    request: Request,
    state: StateDep,
    staff: Staff,
    db: SessionDep,
    conversation_id: int,
    *,
    part: str = "",
    error: str = "",
    done: str = "",
    draft: str = "",
    status_code: int = 200,
    viewed: bool = False,
) -> Response:
    """The conversation page (or its transcript); actions use it to show a refusal with
    the practitioner's draft kept, so nothing typed is lost."""
    view = await views.conversation_view(db, conversation_id)
    if view is None:
        return render(
            request, "error.html", {"staff": staff, "message": "There is no such conversation."}, 404
        )
    if viewed:
        audit.record(db, staff.username, "conversation_viewed", conversation_id, source=staff.address)
    await db.commit()
    language = view.contact.language or state.settings.default_language
    context = {
        "staff": staff,
        "view": view,
        "language": language,
        "canned": _canned_previews(language, staff.first_name),
        "whatsapp_open": whatsapp_window_open(view.conversation, utcnow()),
        "templates": state.settings.whatsapp_templates,
        "error": error,
        "done": done,
        "draft": draft,
        "meter": sms_info(draft),
        "with_a_person": view.conversation.owner in (Owner.WAITING.value, Owner.HUMAN.value),
    }
    name = {"transcript": "_transcript.html", "panel": "_panel.html"}.get(part, "conversation.html")
    return render(request, name, context, status_code)


@router.get(
    "/conversations/{conversation_id}/export",
    responses={
        **INBOX_PAGE,
        200: {"description": "Everything held about the resident, as a file (JSON)"},
        403: page_or_problem("Only an admin can export"),
        404: page_or_problem("There is no such conversation"),
    },
)
async def export_conversation(staff: PageAdminDep, db: SessionDep, conversation_id: RowId) -> Response:
    """Everything held about this resident, as a file (a subject access request)."""
    view = await views.conversation_view(db, conversation_id)
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "There is no such conversation.")
    body = json.dumps(await export(db, view.contact), default=str, ensure_ascii=False, indent=2)
    audit.record(db, staff.username, "export", conversation_id, source=staff.address)
    await db.commit()
    return Response(
        body,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="resident-{view.contact.uid}.json"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(
    "/audit",
    response_class=HTMLResponse,
    responses={**INBOX_PAGE, 403: page_or_problem("Only an admin can read the audit log")},
)
async def audit_page(
    request: Request, staff: PageAdminDep, db: SessionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> Response:
    rows = list(await db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))
    audit.record(db, staff.username, "audit_viewed", source=staff.address)
    await db.commit()
    return render(request, "audit.html", {"staff": staff, "rows": rows})


@router.get(
    "/events",
    response_class=EventSourceResponse,
    responses={**INBOX_PAGE, 401: page_or_problem("Not logged in")},
)
async def live_events(staff: StaffDep, state: StateDep, store: StoreDep) -> AsyncIterator[ServerSentEvent]:
    """What changed, as it happens (Redis pub/sub, so any gateway process hears it).

    The session is checked again before every event and ping (without moving its idle
    deadline): after a logout, a time-out or a deactivation the stream says `ended` and stops.
    """
    yield ServerSentEvent(event="ready", data={"as": staff.username}, retry=3000)
    async for event in events.listen(state.queue, ping=LIVE_PING_SECONDS):
        if await store.get(staff.token, touch=False) is None:
            yield ServerSentEvent(event="ended", data={"login": "/inbox/login"})
            return
        if event.get("kind") == "ping":
            yield ServerSentEvent(comment="ping")
        elif event.get("kind") != "session":
            yield ServerSentEvent(event="change", data=event)
