"""WhatsApp refused a message we started: send it by SMS instead, only if SMS is safe.

Twilio error codes that mean WhatsApp cannot deliver to this person now: 63016 (outside
the 24-hour window, no template), 63003 (no WhatsApp at that number), 63024 (invalid
recipient), 63049 (Meta chose not to deliver). Other errors are not a reason to switch.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Author, Channel, Contact, Conversation, Message
from api.reminders.reach import preferences
from api.worker.outbound import queue_text

FALLBACK_CODES = frozenset({"63016", "63003", "63024", "63049"})


async def sms_instead(
    session: AsyncSession, message: Message, contact: Contact, conversation: Conversation, code: str
) -> Message | None:
    """The SMS copy of a refused WhatsApp message we started (not a practitioner's reply)."""
    if message.channel != Channel.WHATSAPP.value or code not in FALLBACK_CODES:
        return None
    if message.author != Author.SYSTEM.value or (message.content_sid is None and message.catalog_key is None):
        return None
    ways = (await preferences(session, contact)).get("contact_ways") or []
    if "sms" not in ways or contact.opted_out_at is not None:
        return None
    copy = await queue_text(session, conversation, message.body, f"{message.dedupe_key}:sms", Author.SYSTEM)
    if copy is not None:
        copy.channel, copy.catalog_key, copy.params = Channel.SMS.value, message.catalog_key, message.params
    return copy
