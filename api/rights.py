"""Bot keys about the resident's own data and appointments, completed from the database.

The bot asks first and sends a key once the resident said YES (data/rules/rights.yml,
actions/data_rights.py, actions/appointments.py); the worker turns each into the answer:

- `optout_request` ("stop texting me", then YES): the number is opted out exactly as for the
  STOP keyword (`opt_out`, also used by api/worker/keywords.py): the same stored state, the
  same confirmation, and a person takes the conversation if a case is open.
- `data_copy`: what the service holds and how long, from the retention settings, and the
  offer of a copy. `data_copy_request` (YES): a person is asked to send the copy (the
  conversation goes to the inbox with its reason), the resident is told. Never a deletion.
- `appointment_when`: the next booked appointment, written the resident's way
  (api/reminders/text.py), or none booked and the offer of a person.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.bot_client import BotReply
from api.config import Settings
from api.db.models import Appointment, AuditEvent, Contact, Conversation, Referral, ReferralStatus
from api.inbox import handoff

log = logging.getLogger(__name__)

KEYS = frozenset({"optout_request", "data_copy", "data_copy_request", "appointment_when"})
#: Appointment states that still hold.
LIVE = frozenset({"booked", "confirmed"})


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def next_appointment(appointments: Iterable[Any], now: datetime) -> Any | None:
    """The soonest appointment that is still on and not yet started, or None."""
    ahead = [a for a in appointments if a.status in LIVE and _aware(a.starts_at) > now]
    return min(ahead, key=lambda a: _aware(a.starts_at), default=None)


def appointment_reply(appointment: Any | None) -> BotReply:
    if appointment is None:
        return BotReply("appt_none")
    return BotReply(
        "appt_next",
        {
            "appointment": {
                "starts_at": _aware(appointment.starts_at).isoformat(),
                "kind": appointment.kind,
                "place": appointment.place,
                "with_whom": appointment.with_whom,
            }
        },
    )


def data_held_reply(retention_days: int, bot_memory_days: int) -> BotReply:
    """What is held and for how long: the service's own settings, never a guess."""
    if retention_days > 0:
        return BotReply("data_held_days", {"days": retention_days, "form_days": bot_memory_days})
    return BotReply("data_held", {"form_days": bot_memory_days})


async def opt_out(
    session: AsyncSession, conversation: Conversation, contact: Contact, now: datetime
) -> BotReply:
    """Opt the number out: one confirmation, then nothing more (api/worker/keywords.py holds
    back everything else). With an open safety flag or referral a person takes over."""
    contact.opted_out_at = now
    if await _has_open_case(session, conversation, contact):
        handoff.begin(conversation, "stop_open_case", now)
        session.add(
            AuditEvent(actor="resident", action="opted_out_open_case", conversation_id=conversation.id)
        )
    return BotReply("optout_confirmed")


async def _has_open_case(session: AsyncSession, conversation: Conversation, contact: Contact) -> bool:
    if conversation.safety_flag is not None:
        return True
    open_referral = await session.scalar(
        select(Referral.id).where(
            Referral.contact_id == contact.id,
            Referral.status.in_((ReferralStatus.NEW.value, ReferralStatus.ACCEPTED.value)),
        )
    )
    return open_referral is not None


async def complete(
    session: AsyncSession,
    settings: Settings,
    contact: Contact,
    conversation: Conversation,
    reply: BotReply,
    now: datetime,
) -> BotReply:
    """The answer for one of KEYS; any other reply unchanged."""
    if reply.key == "optout_request":
        return await opt_out(session, conversation, contact, now)
    if reply.key == "data_copy":
        return data_held_reply(settings.retention_days, settings.bot_memory_days)
    if reply.key == "data_copy_request":
        handoff.begin(conversation, "data_copy", now)
        session.add(
            AuditEvent(actor="resident", action="data_copy_requested", conversation_id=conversation.id)
        )
        log.info("copy of data requested for conversation %s", conversation.id)
        return BotReply("data_copy_requested")
    if reply.key == "appointment_when":
        rows = await session.scalars(select(Appointment).where(Appointment.contact_id == contact.id))
        return appointment_reply(next_appointment(rows, now))
    return reply
