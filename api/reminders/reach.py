"""How a message we start may reach a resident: a channel they chose and a time they chose.

Used by appointment notices, reminders and follow-ups. Replies to the resident's own message
follow api/inbox/compose.py instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.contact_windows import next_allowed
from api.db.models import Channel, Contact, Conversation, Referral

#: Channels we can start a message on (a phone call is made by a person, not sent).
SENDABLE = (Channel.SMS.value, Channel.WHATSAPP.value)


@dataclass(frozen=True)
class Reach:
    channel: str | None  # None: there is no safe way to send
    not_before: datetime | None
    reason: str | None = None  # why not: opted_out, no_number, no_safe_channel


async def preferences(session: AsyncSession, contact: Contact) -> dict[str, Any]:
    """The resident's latest choices (from their referral); empty if they made none."""
    answers = await session.scalar(
        select(Referral.answers)
        .where(Referral.contact_id == contact.id)
        .order_by(Referral.id.desc())
        .limit(1)
    )
    return dict(answers or {})


def reach(contact: Contact, conversation: Conversation, prefs: Mapping[str, Any], now: datetime) -> Reach:
    if contact.opted_out_at is not None:
        return Reach(None, None, "opted_out")
    if not contact.phone_valid:
        return Reach(None, None, "no_number")
    ways = [str(w) for w in prefs.get("contact_ways") or []]
    if not ways or conversation.channel in ways:
        channel: str | None = conversation.channel
    else:
        channel = next((w for w in SENDABLE if w in ways), None)
    if channel is None:
        return Reach(None, None, "no_safe_channel")
    return Reach(channel, next_allowed(now, [str(t) for t in prefs.get("contact_times") or []]))
