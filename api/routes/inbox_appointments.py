"""Inbox: book, move and cancel a resident's appointments (plain forms, CSRF, audited).

The same rules as the JSON API (api/reminders/booking.py): the resident is told only in a
way they said is safe, and the page says so when they cannot be told.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse

from api.db.models import Appointment, Conversation
from api.deps import RowId, SessionDep, StateDep
from api.inbox import audit
from api.inbox.access import ActingDep, Staff
from api.openapi import Responses, inbox_action, page_or_invalid
from api.reminders import booking
from api.reminders.appointments import AppointmentError
from api.routes.inbox_actions import must_own
from api.routes.inbox_pages import conversation_response

router = APIRouter(prefix="/inbox", tags=["inbox"])
REFUSED: Responses = {
    422: page_or_invalid("Against the rules, or not a date and time: the page again, with why")
}


def _at(day: str, clock: str) -> datetime:
    """The form's date and time, London time."""
    try:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock))
    except ValueError:
        raise AppointmentError("Give a date (YYYY-MM-DD) and a time (HH:MM).") from None


#: Why the resident could not be told, as a banner code (api/inbox/pages.ERROR_BANNERS).
WHY_NOT_CODES = {text: code for code, text in booking.WHY_NOT.items()}


def _done(conversation_id: int, told: booking.Told, what: str) -> RedirectResponse:
    why = WHY_NOT_CODES.get(told.phone_instead or "", "no_channel")
    query = f"done={what}" if told.told else f"done={what}&error={why}"
    return RedirectResponse(f"/inbox/conversations/{conversation_id}?{query}", status.HTTP_303_SEE_OTHER)


async def _refuse(
    request: Request,
    state: StateDep,
    staff: Staff,
    db: SessionDep,
    conversation_id: int,
    exc: AppointmentError,
) -> Response:
    await db.rollback()
    return await conversation_response(
        request,
        state,
        staff,
        db,
        conversation_id,
        error=str(exc),
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


@router.post("/conversations/{conversation_id}/appointments", **inbox_action(REFUSED))
async def book(
    request: Request,
    db: SessionDep,
    state: StateDep,
    staff: ActingDep,
    conversation_id: RowId,
    day: Annotated[str, Form(max_length=10)] = "",
    at: Annotated[str, Form(max_length=5)] = "",
    kind: Annotated[str, Form(max_length=24)] = "",
    place: Annotated[str, Form(max_length=200)] = "",
    with_whom: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    conversation = await db.get(Conversation, conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "There is no such conversation.")
    await must_own(db, conversation, staff, "book an appointment")
    try:
        appointment, told = await booking.book(
            db, state.queue, state.settings, conversation, _at(day, at), kind, place, with_whom, staff.name
        )
    except AppointmentError as exc:
        return await _refuse(request, state, staff, db, conversation_id, exc)
    audit.record(db, staff.username, "appointment_booked", conversation_id, f"appointment {appointment.id}")
    await db.commit()
    return _done(conversation_id, told, "booked")


async def _appointment(db: SessionDep, appointment_id: int, staff: Staff) -> Appointment:
    appointment = await db.get(Appointment, appointment_id)
    if appointment is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "There is no such appointment.")
    conversation = await db.get(Conversation, appointment.conversation_id)
    assert conversation is not None
    await must_own(db, conversation, staff, "change an appointment")
    return appointment


@router.post("/appointments/{appointment_id}/move", **inbox_action(REFUSED))
async def move(
    request: Request,
    db: SessionDep,
    state: StateDep,
    staff: ActingDep,
    appointment_id: RowId,
    day: Annotated[str, Form(max_length=10)] = "",
    at: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    appointment = await _appointment(db, appointment_id, staff)
    cid = appointment.conversation_id
    try:
        told = await booking.move(db, state.queue, state.settings, appointment, _at(day, at))
    except AppointmentError as exc:
        return await _refuse(request, state, staff, db, cid, exc)
    audit.record(db, staff.username, "appointment_moved", cid, f"appointment {appointment_id}")
    await db.commit()
    return _done(cid, told, "moved")


@router.post("/appointments/{appointment_id}/cancel", **inbox_action(REFUSED))
async def cancel(
    request: Request, db: SessionDep, state: StateDep, staff: ActingDep, appointment_id: RowId
) -> Response:
    appointment = await _appointment(db, appointment_id, staff)
    cid = appointment.conversation_id
    try:
        told = await booking.cancel(db, state.queue, state.settings, appointment)
    except AppointmentError as exc:
        return await _refuse(request, state, staff, db, cid, exc)
    audit.record(db, staff.username, "appointment_cancelled", cid, f"appointment {appointment_id}")
    await db.commit()
    return _done(cid, told, "cancelled_appointment")
