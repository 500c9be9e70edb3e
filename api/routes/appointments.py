"""Appointments (JSON, bearer token): book, move, cancel; the reminders follow by themselves.

The resident is told in their language, with the date written their language's way, but
only by a channel and at a time they said is safe; otherwise `resident_told` is false with
the reason, so the practitioner phones instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from api.db.models import Appointment, Contact, Conversation, Reminder
from api.deps import RowId, SessionDep, StateDep, require_practitioner
from api.gateway.parsing import parse_address
from api.openapi import UNREADABLE, Responses, UtcDatetime, invalid, problem
from api.reminders import booking
from api.reminders.appointments import KINDS, AppointmentError

router = APIRouter(
    prefix="/api/appointments",
    tags=["appointments"],
    dependencies=[Depends(require_practitioner)],
    responses={401: problem("No or wrong practitioner token")},
)
NOT_FOUND: Responses = {404: problem("No appointment has this id")}
CHANGE: Responses = {
    **UNREADABLE,
    **NOT_FOUND,
    409: problem("The appointment is cancelled"),
    422: invalid("Not valid, or against the rules (in the past, no place, words that say what the help is)"),
}


class BookBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Annotated[str, Field(min_length=5, max_length=64, description="The resident's number, E.164")]
    starts_at: datetime = Field(description="ISO 8601; without a zone it is London time")
    kind: Annotated[str, Field(description=f"One of: {', '.join(KINDS)}")]
    place: Annotated[str, Field(max_length=200)] = ""
    with_whom: Annotated[str, Field(max_length=128)] = ""
    by: Annotated[str, Field(min_length=1, max_length=128)]

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"kind must be one of: {', '.join(KINDS)}")
        return value


class FindBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Annotated[str, Field(min_length=5, max_length=64, description="The resident's number, E.164")]


class MoveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: datetime
    by: Annotated[str, Field(min_length=1, max_length=128)]


class CancelBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: Annotated[str, Field(min_length=1, max_length=128)]


class ReminderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    kind: str
    due_at: UtcDatetime
    status: str
    reason: str | None
    answer: str | None


class AppointmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    starts_at: UtcDatetime
    kind: str
    place: str
    with_whom: str
    status: str
    version: int


class AppointmentDetail(AppointmentOut):
    reminders: list[ReminderOut]
    resident_told: bool | None = None
    phone_instead: str | None = None


async def _detail(
    session: SessionDep, appointment: Appointment, told: booking.Told | None = None
) -> AppointmentDetail:
    reminders = await session.scalars(
        select(Reminder).where(Reminder.appointment_id == appointment.id).order_by(Reminder.due_at)
    )
    return AppointmentDetail(
        **AppointmentOut.model_validate(appointment).model_dump(),
        reminders=[ReminderOut.model_validate(r) for r in reminders],
        resident_told=told.told if told else None,
        phone_instead=told.phone_instead if told else None,
    )


def _refused(exc: AppointmentError) -> HTTPException:
    conflict = "cancelled" in str(exc)
    return HTTPException(
        status.HTTP_409_CONFLICT if conflict else status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)
    )


@router.post(
    "",
    response_model=AppointmentDetail,
    status_code=status.HTTP_201_CREATED,
    responses={**CHANGE, 404: problem("No resident has written from this number")},
)
async def book(session: SessionDep, state: StateDep, body: BookBody) -> AppointmentDetail:
    phone = parse_address(body.phone).phone
    contact = await session.scalar(select(Contact).where(Contact.phone == phone))
    conversation = (
        await session.scalar(select(Conversation).where(Conversation.contact_id == contact.id))
        if contact
        else None
    )
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No resident has written from this number.")
    try:
        appointment, told = await booking.book(
            session,
            state.queue,
            state.settings,
            conversation,
            body.starts_at,
            body.kind,
            body.place,
            body.with_whom,
            body.by,
        )
    except AppointmentError as exc:
        raise _refused(exc) from None
    return await _detail(session, appointment, told)


async def _find(session: SessionDep, appointment_id: int) -> Appointment:
    appointment = await session.get(Appointment, appointment_id)
    if appointment is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No appointment has this id.")
    return appointment


@router.post("/search", response_model=list[AppointmentOut], responses=UNREADABLE)
async def search(session: SessionDep, body: FindBody) -> list[AppointmentOut]:
    """A resident's appointments, oldest first. The number goes in the body, not the address,
    where proxies and logs would keep it (ASVS 14.2.1)."""
    return await _appointments_of(session, body.phone)


@router.get("", response_model=list[AppointmentOut], deprecated=True)
async def list_for(
    session: SessionDep, phone: Annotated[str, Query(min_length=5, max_length=64)]
) -> list[AppointmentOut]:
    """Deprecated: the number in the address is kept by proxies and logs. Use POST /search."""
    return await _appointments_of(session, phone)


async def _appointments_of(session: SessionDep, phone: str) -> list[AppointmentOut]:
    number = parse_address(phone).phone
    rows = await session.scalars(
        select(Appointment)
        .join(Contact, Contact.id == Appointment.contact_id)
        .where(Contact.phone == number)
        .order_by(Appointment.starts_at)
    )
    return [AppointmentOut.model_validate(a) for a in rows]


@router.get("/{appointment_id}", response_model=AppointmentDetail, responses=NOT_FOUND)
async def get_one(session: SessionDep, appointment_id: RowId) -> AppointmentDetail:
    return await _detail(session, await _find(session, appointment_id))


@router.post("/{appointment_id}/move", response_model=AppointmentDetail, responses=CHANGE)
async def move(
    session: SessionDep, state: StateDep, appointment_id: RowId, body: MoveBody
) -> AppointmentDetail:
    appointment = await _find(session, appointment_id)
    try:
        told = await booking.move(session, state.queue, state.settings, appointment, body.starts_at)
    except AppointmentError as exc:
        raise _refused(exc) from None
    return await _detail(session, appointment, told)


@router.post("/{appointment_id}/cancel", response_model=AppointmentDetail, responses=CHANGE)
async def cancel(
    session: SessionDep, state: StateDep, appointment_id: RowId, body: CancelBody
) -> AppointmentDetail:
    appointment = await _find(session, appointment_id)
    try:
        told = await booking.cancel(session, state.queue, state.settings, appointment)
    except AppointmentError as exc:
        raise _refused(exc) from None
    return await _detail(session, appointment, told)
