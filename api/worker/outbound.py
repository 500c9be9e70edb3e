"""Queueing replies: one row per reply, keyed so a retried turn never queues it twice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.bot_client import BotReply
from api.db.models import Author, Conversation, Delivery, Direction, Message
from api.i18n import render


async def queue_reply(
    session: AsyncSession,
    conversation: Conversation,
    language: str,
    key: str,
    dedupe_key: str,
    params: Mapping[str, Any] | None = None,
    author: Author = Author.BOT,
    *,
    first: bool = False,
) -> Message | None:
    """Add a rendered reply to the session, unless one with this dedupe key exists.

    `first`: the caller knows none can exist yet, so it is not looked for (one statement less
    on every turn). The unique key still holds: a second row would fail the commit.
    """
    if not first:
        exists = await session.scalar(select(Message.id).where(Message.dedupe_key == dedupe_key))
        if exists is not None:
            return None
    used_key, body = render(key, language, params)
    message = _outgoing(conversation, body, dedupe_key, author)
    message.catalog_key = used_key
    message.params = dict(params) if params and used_key == key else None
    session.add(message)
    return message


async def queue_text(
    session: AsyncSession, conversation: Conversation, body: str, dedupe_key: str, author: Author
) -> Message | None:
    """A practitioner's own words, sent as typed (not a catalog message)."""
    exists = await session.scalar(select(Message.id).where(Message.dedupe_key == dedupe_key))
    if exists is not None:
        return None
    message = _outgoing(conversation, body, dedupe_key, author)
    session.add(message)
    return message


async def queue_replies(
    session: AsyncSession,
    conversation: Conversation,
    language: str,
    replies: Sequence[BotReply],
    key_prefix: str,
    *,
    urgent: bool = False,
) -> list[Message]:
    """The replies to one inbound message, keyed `<key_prefix>:<n>`. Only for a message not yet
    handled, in the commit that marks it handled: none of its replies can exist yet (the unique
    key still holds if two callers race: one commit fails)."""
    queued = []
    for n, reply in enumerate(replies):
        out = await queue_reply(
            session, conversation, language, reply.key, f"{key_prefix}:{n}", reply.params, first=True
        )
        if out is not None:
            out.urgent = urgent
            queued.append(out)
    return queued


def _outgoing(conversation: Conversation, body: str, dedupe_key: str, author: Author) -> Message:
    return Message(
        conversation_id=conversation.id,
        direction=Direction.OUT.value,
        channel=conversation.channel,
        author=author.value,
        body=body,
        dedupe_key=dedupe_key,
        status=Delivery.PENDING.value,  # then only through api/db/delivery_states.py
    )
