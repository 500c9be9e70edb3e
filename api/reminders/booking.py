"""Booking, moving and cancelling, shared by the JSON API and the inbox.

Each step tells the resident (only in a way they said is safe) and replaces the reminders.
The caller has checked its input; these raise AppointmentError for what the rules refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from arq.connections import ArqRedis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.config import Settings
from api.db.models import Appointment, Author, Contact, Conversation, Referral, utcnow
from api.inbox import events
from api.queue import enqueue_delivery
from api.reminders.appointments import KINDS, AppointmentError, cancel_pending, check_words, plan
from api.reminders.reach import preferences, reach
from api.reminders.send import appointment_params, schedule
from api.reminders.timing import LONDON
from api.worker.outbound import queue_reply

NEEDS_A_PLACE = ("phone", "gp", "library", "community_centre")
WHY_NOT = {
    "opted_out": "The resident texted STOP: no message may be sent to them. Phone them if it is safe.",
    "no_number": "We have no number that can receive messages for this resident.",
}


@dataclass(frozen=True)
class Told:
    told: bool
    phone_instead: str | None = None


def as_utc(value: datetime) -> datetime:
    """A time without a zone is London time; stored in UTC (SQLite keeps no zone)."""
    return (value.replace(tzinfo=LONDON) if value.tzinfo is None else value).astimezone(UTC)


def check(starts_at: datetime, kind: str, place: str, with_whom: str, now: datetime) -> datetime:
    if kind not in KINDS:
        raise AppointmentError(f"The kind must be one of: {', '.join(KINDS)}.")
    check_words(place, with_whom)
    if kind in NEEDS_A_PLACE and not place.strip():
        raise AppointmentError("Say where (or which number to call).")
    try:
        when = as_utc(starts_at)
    except OverflowError:  # a zone that moves 0001-01-01 or 9999-12-31 out of the calendar
        raise AppointmentError("That date and time is out of range.") from None
    if when <= now:
        raise AppointmentError("The appointment must be in the future.")
    return when


async def _tell(
    session: AsyncSession, queue: ArqRedis, settings: Settings, appointment: Appointment, key: str
) -> Told:
    contact = await session.get(Contact, appointment.contact_id)
    conversation = await session.get(Conversation, appointment.conversation_id)
    assert contact is not None and conversation is not None
    how = reach(contact, conversation, await preferences(session, contact), utcnow())
    if how.channel is None:
        return Told(
            False,
            WHY_NOT.get(how.reason or "", "The resident chose no way of contact we can send on: phone them."),
        )
    language = contact.language or settings.default_language
    dedupe = f"appt:{appointment.id}:v{appointment.version}:{key}"
    message = await queue_reply(
        session, conversation, language, key, dedupe, appointment_params(appointment), Author.SYSTEM
    )
    if message is not None:
        message.channel, message.not_before = how.channel, how.not_before
        await session.commit()
        if how.not_before is None:
            await enqueue_delivery(queue, conversation.id, message.id)
    return Told(True)


async def _replan(
    session: AsyncSession, queue: ArqRedis, settings: Settings, appointment: Appointment
) -> None:
    reminders = plan(appointment, settings, utcnow())
    session.add_all(reminders)
    await session.commit()
    for reminder in reminders:
        await schedule(queue, reminder)
    await events.publish(queue, "appointment", appointment.conversation_id)


async def book(
    session: AsyncSession,
    queue: ArqRedis,
    settings: Settings,
    conversation: Conversation,
    starts_at: datetime,
    kind: str,
    place: str,
    with_whom: str,
    by: str,
) -> tuple[Appointment, Told]:
    when = check(starts_at, kind, place, with_whom, utcnow())
    referral_id = await session.scalar(
        select(Referral.id)
        .where(Referral.contact_id == conversation.contact_id)
        .order_by(Referral.id.desc())
        .limit(1)
    )
    appointment = Appointment(
        contact_id=conversation.contact_id,
        conversation_id=conversation.id,
        referral_id=referral_id,
        starts_at=when,
        kind=kind,
        place=place.strip(),
        with_whom=with_whom.strip(),
        created_by=by,
    )
    session.add(appointment)
    await session.flush()
    told = await _tell(session, queue, settings, appointment, "appt_booked")
    await _replan(session, queue, settings, appointment)
    return appointment, told


async def move(
    session: AsyncSession, queue: ArqRedis, settings: Settings, appointment: Appointment, starts_at: datetime
) -> Told:
    if appointment.status == "cancelled":
        raise AppointmentError("This appointment is cancelled; book a new one.")
    when = check(starts_at, appointment.kind, appointment.place, appointment.with_whom, utcnow())
    await cancel_pending(session, appointment.id)
    appointment.starts_at, appointment.version, appointment.status = when, appointment.version + 1, "booked"
    await session.flush()
    told = await _tell(session, queue, settings, appointment, "appt_moved")
    await _replan(session, queue, settings, appointment)
    return told


async def cancel(
    session: AsyncSession, queue: ArqRedis, settings: Settings, appointment: Appointment
) -> Told:
    if appointment.status == "cancelled":
        raise AppointmentError("This appointment is already cancelled.")
    await cancel_pending(session, appointment.id)
    appointment.status = "cancelled"
    await session.flush()
    told = await _tell(session, queue, settings, appointment, "appt_cancelled")
    await session.commit()
    await events.publish(queue, "appointment", appointment.conversation_id)
    return told
