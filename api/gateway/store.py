"""Storing what arrives, before it is acknowledged. Safe with several gateway processes:
the unique keys in the database decide, not process memory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import (
    Author,
    Contact,
    Conversation,
    Direction,
    InboundStatus,
    Message,
    utcnow,
)
from api.gateway.parsing import InboundMessage


@dataclass(frozen=True)
class Stored:
    message_id: int
    conversation_id: int
    duplicate: bool


async def _contact(session: AsyncSession, inbound: InboundMessage) -> Contact:
    query = select(Contact).where(Contact.phone == inbound.address.phone)
    if (found := await session.scalar(query)) is not None:
        return found
    try:
        async with session.begin_nested():
            contact = Contact(phone=inbound.address.phone, phone_valid=inbound.address.valid)
            session.add(contact)
        return contact
    except IntegrityError:  # another process created it a moment ago
        return (await session.scalars(query)).one()


async def _conversation(session: AsyncSession, contact: Contact) -> Conversation:
    query = select(Conversation).where(Conversation.contact_id == contact.id)
    if (found := await session.scalar(query)) is not None:
        return found
    try:
        async with session.begin_nested():
            conversation = Conversation(contact_id=contact.id)
            session.add(conversation)
        return conversation
    except IntegrityError:
        return (await session.scalars(query)).one()


async def _existing(session: AsyncSession, sid: str) -> Stored | None:
    row = (
        await session.execute(select(Message.id, Message.conversation_id).where(Message.provider_sid == sid))
    ).first()
    return Stored(row.id, row.conversation_id, duplicate=True) if row else None


async def store_inbound(session: AsyncSession, inbound: InboundMessage) -> Stored:
    """Store an inbound message once. A second delivery of the same MessageSid is a duplicate."""
    if (earlier := await _existing(session, inbound.sid)) is not None:
        return earlier
    contact = await _contact(session, inbound)
    conversation = await _conversation(session, contact)
    conversation.channel = inbound.address.channel.value
    conversation.last_inbound_at = utcnow()
    message = Message(
        conversation_id=conversation.id,
        direction=Direction.IN.value,
        channel=inbound.address.channel.value,
        author=Author.RESIDENT.value,
        body=inbound.body,
        media=inbound.media,
        provider_sid=inbound.sid,
        status=(InboundStatus.RECEIVED if inbound.address.valid else InboundStatus.UNROUTABLE).value,
    )
    try:
        async with session.begin_nested():
            session.add(message)
    except IntegrityError:  # the same delivery reached another process first
        await session.rollback()
        if (earlier := await _existing(session, inbound.sid)) is not None:
            return earlier
        raise
    await session.commit()
    return Stored(message.id, conversation.id, duplicate=False)
