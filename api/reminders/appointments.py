"""Booking, moving and cancelling appointments, and the reminder rows that follow them.

Moving makes a new version: pending reminders of the old one are cancelled and new ones
planned, so the resident is never reminded of a time that no longer holds.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from api.config import Settings
from api.db.models import Appointment, Reminder
from api.reminders.text import WHERE
from api.reminders.timing import followup_times, parse_offsets, reminder_times

KINDS = tuple(WHERE)
#: Words that would tell a reader of the resident's phone what the help is about.
SUBJECT_WORDS = re.compile(
    r"mental|abuse|abusive|debt|domestic|violence|suicid|self.?harm|depress|anxiety|addict|alcohol|"
    r"drug|counsel|psych|therap|refuge|safeguard|benefit|food ?bank|eviction",
    re.IGNORECASE,
)


class AppointmentError(ValueError):
    pass


def check_words(*texts: str) -> None:
    for text in texts:
        if found := SUBJECT_WORDS.search(text):
            raise AppointmentError(
                f"Please do not write {found.group(0)!r}: messages must not say what the help is "
                "about (someone else may read the resident's phone)."
            )


def _local_time(text: str) -> time:
    return time.fromisoformat(text)


def plan(appointment: Appointment, settings: Settings, now: datetime) -> list[Reminder]:
    """The reminder rows for this version of the appointment (not yet added)."""
    times = reminder_times(
        appointment.starts_at,
        now,
        parse_offsets(settings.reminder_offsets),
        _local_time(settings.reminder_local_time),
        timedelta(hours=settings.reminder_min_notice_hours),
    )
    return [
        Reminder(
            key=f"appt:{appointment.id}:v{appointment.version}:{label}",
            kind="appointment",
            contact_id=appointment.contact_id,
            conversation_id=appointment.conversation_id,
            appointment_id=appointment.id,
            referral_id=appointment.referral_id,
            due_at=due,
        )
        for label, due in times
    ]


async def cancel_pending(session: AsyncSession, appointment_id: int) -> int:
    result = await session.execute(
        update(Reminder)
        .where(Reminder.appointment_id == appointment_id, Reminder.status == "pending")
        .values(status="cancelled")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def followups(
    referral_id: int, contact_id: int, conversation_id: int, settings: Settings, now: datetime
) -> list[Reminder]:
    due = followup_times(now, settings.followup_check_days, settings.followup_review_days)
    return [
        Reminder(
            key=f"fu:{referral_id}:{kind}",
            kind=kind,
            contact_id=contact_id,
            conversation_id=conversation_id,
            referral_id=referral_id,
            due_at=at,
        )
        for kind, at in due.items()
    ]
