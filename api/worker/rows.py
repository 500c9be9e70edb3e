"""Loading what a job works on in one statement instead of one per table."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Contact, Conversation, Message


async def message_with_people(
    session: AsyncSession, message_id: int
) -> tuple[Message, Conversation, Contact] | None:
    """A message with its conversation and contact (None if the message is gone)."""
    row = (
        await session.execute(
            select(Message, Conversation, Contact)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .join(Contact, Contact.id == Conversation.contact_id)
            .where(Message.id == message_id)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1], row[2])
