"""Appointments (JSON, bearer token): book, move, cancel; the reminders follow by themselves.

The resident is told in their language, with the date written their language's way, but
only by a channel and at a time they said is safe; otherwise `resident_told` is false with
the reason, so the practitioner phones instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from api.db.models import Appointment, Author, Contact, Conversation, Referral, Reminder, utcnow
from api.deps import SessionDep, StateDep, require_practitioner
from api.gateway.parsing import parse_address
from api.inbox import events
from api.queue import enqueue_delivery
from api.reminders.appointments import KINDS, AppointmentError, cancel_pending, check_words, plan
from api.reminders.reach import preferences, reach
from api.reminders.send import appointment_params, schedule
from api.reminders.timing import LONDON
from api.worker.outbound import queue_reply

router = APIRouter(
    prefix="/api/appointments", tags=["appointments"], dependencies=[Depends(require_practitioner)]
)


def _when(value: datetime) -> datetime:
    """A time without a zone is London time; stored in UTC (SQLite keeps no zone)."""
    return (value.replace(tzinfo=LONDON) if value.tzinfo is None else value).astimezone(UTC)


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
    due_at: datetime
    status: str
    reason: str | None
    answer: str | None


class AppointmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    starts_at: datetime
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
    session: SessionDep, appointment: Appointment, told: tuple[bool, str | None] | None = None
) -> AppointmentDetail:
    reminders = await session.scalars(
        select(Reminder).where(Reminder.appointment_id == appointment.id).order_by(Reminder.due_at)
    )
    return AppointmentDetail(
        **AppointmentOut.model_validate(appointment).model_dump(),
        reminders=[ReminderOut.model_validate(r) for r in reminders],
        resident_told=told[0] if told else None,
        phone_instead=told[1] if told else None,
    )


async def _tell(
    session: SessionDep, state: StateDep, appointment: Appointment, key: str
) -> tuple[bool, str | None]:
    """Queue the notice if there is a safe way; (told, why not)."""
    contact = await session.get(Contact, appointment.contact_id)
    conversation = await session.get(Conversation, appointment.conversation_id)
    assert contact is not None and conversation is not None
    how = reach(contact, conversation, await preferences(session, contact), utcnow())
    if how.channel is None:
        return False, {
            "opted_out": "The resident texted STOP: no message may be sent to them.",
            "no_number": "We have no number that can receive messages for this resident.",
        }.get(how.reason or "", "The resident chose no way of contact that we can send on.")
    language = contact.language or state.settings.default_language
    dedupe = f"appt:{appointment.id}:v{appointment.version}:{key}"
    message = await queue_reply(
        session, conversation, language, key, dedupe, appointment_params(appointment), Author.SYSTEM
    )
    if message is not None:
        message.channel, message.not_before = how.channel, how.not_before
        await session.flush()
        if how.not_before is None:
            await session.commit()
            await enqueue_delivery(state.queue, conversation.id, message.id)
    return True, None


async def _reschedule(session: SessionDep, state: StateDep, appointment: Appointment) -> None:
    reminders = plan(appointment, state.settings, utcnow())
    session.add_all(reminders)
    await session.commit()
    for reminder in reminders:
        await schedule(state.queue, reminder)


def _future(starts_at: datetime) -> datetime:
    when = _when(starts_at)
    if when <= utcnow():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "The appointment must be in the future.")
    return when


@router.post("", response_model=AppointmentDetail, status_code=status.HTTP_201_CREATED)
async def book(session: SessionDep, state: StateDep, body: BookBody) -> AppointmentDetail:
    try:
        check_words(body.place, body.with_whom)
    except AppointmentError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    if body.kind in ("phone", "gp", "library", "community_centre") and not body.place.strip():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "Say where (or which number to call).")
    starts_at = _future(body.starts_at)
    phone = parse_address(body.phone).phone
    contact = await session.scalar(select(Contact).where(Contact.phone == phone))
    conversation = (
        await session.scalar(select(Conversation).where(Conversation.contact_id == contact.id))
        if contact
        else None
    )
    if contact is None or conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No resident has written from this number.")
    referral_id = await session.scalar(
        select(Referral.id).where(Referral.contact_id == contact.id).order_by(Referral.id.desc()).limit(1)
    )
    appointment = Appointment(
        contact_id=contact.id,
        conversation_id=conversation.id,
        referral_id=referral_id,
        starts_at=starts_at,
        kind=body.kind,
        place=body.place.strip(),
        with_whom=body.with_whom.strip(),
        created_by=body.by,
    )
    session.add(appointment)
    await session.flush()
    told = await _tell(session, state, appointment, "appt_booked")
    await _reschedule(session, state, appointment)
    await events.publish(state.queue, "appointment", conversation.id)
    return await _detail(session, appointment, told)


async def _find(session: SessionDep, appointment_id: int) -> Appointment:
    appointment = await session.get(Appointment, appointment_id)
    if appointment is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No appointment has this id.")
    return appointment


@router.get("", response_model=list[AppointmentOut])
async def list_for(
    session: SessionDep, phone: Annotated[str, Query(min_length=5, max_length=64)]
) -> list[AppointmentOut]:
    number = parse_address(phone).phone
    rows = await session.scalars(
        select(Appointment)
        .join(Contact, Contact.id == Appointment.contact_id)
        .where(Contact.phone == number)
        .order_by(Appointment.starts_at)
    )
    return [AppointmentOut.model_validate(a) for a in rows]


@router.get("/{appointment_id}", response_model=AppointmentDetail)
async def get_one(session: SessionDep, appointment_id: int) -> AppointmentDetail:
    return await _detail(session, await _find(session, appointment_id))


@router.post("/{appointment_id}/move", response_model=AppointmentDetail)
async def move(
    session: SessionDep, state: StateDep, appointment_id: int, body: MoveBody
) -> AppointmentDetail:
    appointment = await _find(session, appointment_id)
    if appointment.status == "cancelled":
        raise HTTPException(status.HTTP_409_CONFLICT, "This appointment is cancelled; book a new one.")
    starts_at = _future(body.starts_at)
    await cancel_pending(session, appointment.id)
    appointment.starts_at, appointment.version, appointment.status = (
        starts_at,
        appointment.version + 1,
        "booked",
    )
    await session.flush()
    told = await _tell(session, state, appointment, "appt_moved")
    await _reschedule(session, state, appointment)
    await events.publish(state.queue, "appointment", appointment.conversation_id)
    return await _detail(session, appointment, told)


@router.post("/{appointment_id}/cancel", response_model=AppointmentDetail)
async def cancel(
    session: SessionDep, state: StateDep, appointment_id: int, body: CancelBody
) -> AppointmentDetail:
    appointment = await _find(session, appointment_id)
    if appointment.status == "cancelled":
        raise HTTPException(status.HTTP_409_CONFLICT, "This appointment is already cancelled.")
    await cancel_pending(session, appointment.id)
    appointment.status = "cancelled"
    await session.flush()
    told = await _tell(session, state, appointment, "appt_cancelled")
    await session.commit()
    await events.publish(state.queue, "appointment", appointment.conversation_id)
    return await _detail(session, appointment, told)
