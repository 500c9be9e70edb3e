"""Replies to reminders and follow-ups: 1 confirm, 2 change, 3 cancel (and their words).

Understood days later and in the middle of something else, without breaking a referral in
progress: the words CONFIRM, CHANGE and CANCEL (in any supported language) count whenever a
reminder waits for an answer; a bare number or yes/no/help counts only when the reminder or
follow-up is the last thing we sent, because otherwise it answers the bot's own question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.bot_client import BotReply
from api.db.models import Appointment, Contact, Conversation, Direction, Message, Reminder
from api.i18n import translations
from api.inbox import handoff
from api.inbox.compose import aware
from api.inbox.hours import OpeningHours
from api.languages import load_languages, normalize_digits
from api.messages_reminders import REPLY_WORDS
from api.reminders.appointments import cancel_pending
from api.safety.phrases import normalize

#: How long a reminder or follow-up waits for its answer.
ANSWER_WITHIN = timedelta(days=14)
STRONG = ("confirm", "change", "cancel")
NUMBERS = {"1": "confirm", "2": "change", "3": "cancel"}
CHECK = {"1": "yes", "2": "no", "3": "help", "yes": "yes", "no": "no", "help": "help"}
LOW_SCORE = 3


@dataclass
class Answered:
    replies: list[BotReply]
    #: The inbox should hear of it (an appointment confirmed or cancelled, a follow-up answer).
    changed: bool = True


def _fold(text: str) -> str:
    return " ".join(normalize(text))


@lru_cache(maxsize=1)
def word_table() -> dict[str, str]:
    """Folded word -> confirm / change / cancel / yes / no / help, from every catalog."""
    table: dict[str, str] = {}
    for code in load_languages():
        gettext = translations(code).gettext
        for kind, words in REPLY_WORDS.items():
            for word in {*words.split(","), *gettext(words).split(",")}:
                if folded := _fold(word):
                    table.setdefault(folded, kind)
    return table


def reading(text: str) -> str | None:
    """A number 0-10 as digits, or the kind of word; None for anything else."""
    plain = normalize_digits(text).strip().strip(".!").strip()
    if plain.isdigit() and 0 <= int(plain) <= 10:
        return str(int(plain))
    return word_table().get(_fold(text))


async def awaiting(session: AsyncSession, contact: Contact, now: datetime) -> Reminder | None:
    return await session.scalar(
        select(Reminder)
        .where(
            Reminder.contact_id == contact.id,
            Reminder.status == "sent",
            Reminder.answer.is_(None),
            Reminder.sent_at > now - ANSWER_WITHIN,
        )
        .order_by(Reminder.sent_at.desc(), Reminder.id.desc())
        .limit(1)
    )


async def answer(
    session: AsyncSession,
    conversation: Conversation,
    contact: Contact,
    text: str,
    now: datetime,
    hours: OpeningHours,
) -> Answered | None:
    """Handle the message as a reply to the waiting reminder, or None if it is not one."""
    said = reading(text)
    if said is None:
        return None
    reminder = await awaiting(session, contact, now)
    if reminder is None:
        return None
    last_out = await session.scalar(
        select(Message.id)
        .where(Message.conversation_id == conversation.id, Message.direction == Direction.OUT.value)
        .order_by(Message.id.desc())
        .limit(1)
    )
    right_after = reminder.message_id is not None and reminder.message_id == last_out
    if reminder.kind == "appointment":
        choice = said if said in STRONG else NUMBERS.get(said) if right_after else None
        if said == "yes" and right_after:
            choice = "confirm"
        return await _appointment(session, conversation, reminder, choice, now) if choice else None
    if not right_after:
        return None
    if reminder.kind == "followup_check" and said in CHECK:
        return _check(conversation, reminder, CHECK[said], now, hours)
    if reminder.kind == "followup_review":
        if said.isdigit():
            return _review(conversation, reminder, int(said), now)
        if said == "help":
            return _check(conversation, reminder, "help", now, hours)
    return None


def _answered(reminder: Reminder, value: str, now: datetime) -> None:
    reminder.answer, reminder.answered_at = value, now


async def _appointment(
    session: AsyncSession, conversation: Conversation, reminder: Reminder, choice: str, now: datetime
) -> Answered | None:
    appointment = await session.get(Appointment, reminder.appointment_id)
    if appointment is None or appointment.status == "cancelled" or aware(appointment.starts_at) <= now:  # type: ignore[operator]
        return None
    _answered(reminder, choice, now)
    if choice == "confirm":
        appointment.status = "confirmed"
        return Answered([BotReply("appt_confirm_thanks")])
    if choice == "cancel":
        appointment.status = "cancelled"
        await cancel_pending(session, appointment.id)
        return Answered([BotReply("appt_cancel_done")])
    handoff.begin(conversation, "appointment_change", now)
    return Answered([BotReply("appt_change_asked")])


def _check(
    conversation: Conversation, reminder: Reminder, said: str, now: datetime, hours: OpeningHours
) -> Answered:
    _answered(reminder, said, now)
    if said == "yes":
        return Answered([BotReply("followup_yes")])
    handoff.begin(conversation, f"followup_{said}", now)
    if said == "no":
        return Answered([BotReply("followup_no")])
    return Answered([handoff.reply_for(hours, now)])


def _review(conversation: Conversation, reminder: Reminder, score: int, now: datetime) -> Answered:
    _answered(reminder, str(score), now)
    if score <= LOW_SCORE:
        handoff.begin(conversation, "followup_low", now)
        return Answered([BotReply("followup_review_low")])
    return Answered([BotReply("followup_review_thanks")])
