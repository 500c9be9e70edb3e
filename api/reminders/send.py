"""Sending a due reminder or follow-up: at least once, never twice, never where unsafe.

The job runs at the reminder's due time (an arq deferred job). In ONE commit it adds the
outbound message (dedupe key "reminder:<id>", unique in the database) and marks the reminder
sent; delivery then goes through the usual idempotent send. So a job run twice, a worker
killed at any instant, or Redis losing the job (the recovery sweep re-queues due reminders)
never produces a second text, and a due reminder is never skipped.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from arq import Retry
from arq.connections import ArqRedis
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Appointment, Author, Contact, Conversation, Reminder
from api.i18n import locale_of, translations
from api.inbox.compose import aware, whatsapp_window_open
from api.messages import MESSAGES
from api.queue import enqueue_delivery
from api.reminders.reach import preferences, reach
from api.reminders.text import parts
from api.worker.deliver import deliver_conversation
from api.worker.deps import WorkerDeps, deps_of
from api.worker.outbound import queue_reply

log = logging.getLogger(__name__)

SEND_REMINDER = "send_reminder"
#: The catalog key each kind of reminder sends.
KEYS = {
    "appointment": "appt_reminder",
    "followup_check": "followup_check",
    "followup_review": "followup_review",
}


def job_id(reminder_id: int) -> str:
    return f"reminder:{reminder_id}"


async def schedule(queue: ArqRedis, reminder: Reminder) -> None:
    """Queue the send for the due time; if Redis fails, the recovery sweep finds it when due."""
    try:
        await queue.enqueue_job(
            SEND_REMINDER, reminder.id, _job_id=job_id(reminder.id), _defer_until=reminder.due_at
        )
    except Exception:  # noqa: BLE001 - the database row is the truth
        log.warning("could not queue reminder %s; the recovery sweep will", reminder.id)


def appointment_params(appointment: Appointment) -> dict[str, Any]:
    return {
        "appointment": {
            "starts_at": _aware(appointment.starts_at).isoformat(),
            "kind": appointment.kind,
            "place": appointment.place,
            "with_whom": appointment.with_whom,
        }
    }


async def send_reminder(ctx: dict[str, Any], reminder_id: int) -> str:
    deps = deps_of(ctx)
    async with deps.sessions() as session:
        # The reminder with everything it needs, in one statement.
        row = (
            await session.execute(
                select(Reminder, Conversation, Contact, Appointment)
                .join(Conversation, Conversation.id == Reminder.conversation_id)
                .join(Contact, Contact.id == Reminder.contact_id)
                .outerjoin(Appointment, Appointment.id == Reminder.appointment_id)
                .where(Reminder.id == reminder_id)
            )
        ).one_or_none()
        if row is None or row[0].status != "pending":
            return "done already"
        reminder, conversation, contact, appointment = row
        outcome = await _send(deps, session, reminder, conversation, contact, appointment, await deps.now())
    if outcome == "sent" and reminder.message_id is not None:
        # Deliver now, in this job (one job per reminder, not two); if the conversation is
        # busy or the provider says "later", the usual delivery job takes over.
        try:
            await deliver_conversation(ctx, reminder.conversation_id)
        except Exception:  # noqa: BLE001 - arq's Retry included: the queue retries it instead
            await enqueue_delivery(deps.redis, reminder.conversation_id, reminder.message_id)
    return outcome


async def _send(
    deps: WorkerDeps,
    session: AsyncSession,
    reminder: Reminder,
    conversation: Conversation,
    contact: Contact,
    appointment: Appointment | None,
    now: datetime,
) -> str:
    params: dict[str, Any] | None = None
    if appointment is not None:
        if appointment.status == "cancelled" or f":v{appointment.version}:" not in reminder.key:
            return await _close(session, reminder, "cancelled", None)
        if _aware(appointment.starts_at) <= now:
            return await _close(session, reminder, "skipped", "too_late")
        params = appointment_params(appointment)
    how = reach(contact, conversation, await preferences(session, contact), now)
    if how.channel is None:
        return await _close(session, reminder, "skipped", how.reason)
    if how.not_before is not None:
        # Not a time the resident said is safe: wait for it, if it comes before the appointment.
        if appointment is not None and how.not_before >= _aware(appointment.starts_at):
            return await _close(session, reminder, "skipped", "no_safe_time")
        reminder.due_at = how.not_before
        await session.commit()
        raise Retry(defer=how.not_before - now)
    key = KEYS[reminder.kind]
    content_sid = None
    channel = how.channel
    if channel == "whatsapp" and not whatsapp_window_open(conversation, now):
        content_sid = deps.settings.whatsapp_templates.get(key)
        if content_sid is None:
            return await _close(session, reminder, "skipped", "no_template")
    language = contact.language or deps.settings.default_language
    try:
        message = await queue_reply(
            session, conversation, language, key, f"reminder:{reminder.id}", params, Author.SYSTEM
        )
        if message is not None:
            message.channel = channel
            message.content_sid = content_sid
            if content_sid is not None and params is not None:
                found = parts(
                    params["appointment"], locale_of(language), translations(language).gettext, MESSAGES
                )
                message.params = {**params, "content_variables": {"1": found["when"], "2": found["where"]}}
            await session.flush()
            reminder.message_id = message.id
        reminder.status, reminder.sent_at = "sent", now
        await session.commit()
    except IntegrityError:
        await session.rollback()  # another run of this job got there first
        return "done already"
    log.info("reminder %s sent (%s)", reminder.id, reminder.kind)
    return "sent"


async def _close(session: AsyncSession, reminder: Reminder, status: str, reason: str | None) -> str:
    reminder.status, reminder.reason = status, reason
    await session.commit()
    log.info("reminder %s %s (%s)", reminder.id, status, reason)
    return status


def _aware(value: datetime) -> datetime:

    result = aware(value)
    assert result is not None
    return result
