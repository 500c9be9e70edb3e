"""The semantic net's finding: what the phrase lists did not catch, but the meaning did.

It is a wider net than the phrase lists, so it is also wrong more often (measured in
docs/understanding.md). Its answer is built for both cases: at once, from the urgent lane,
the emergency numbers and a way to a person; the bot still answers the message itself, and
the conversation is not silenced (a false alarm must not leave a resident waiting days for
a person). The team sees it in the audit trail and can take the conversation.

The urgent lane reads every message's meaning as it arrives (`screen_meaning`), whatever the
main queue's backlog, and leaves the embedding in Redis for the turn, so a message is embedded
once. The turn reads it again if the lane has not (Redis lost the job, or it was slower): the
concern is sent once whoever finds it first.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.bot_client import BotReply
from api.conversations import bot_may_answer
from api.db.models import AuditEvent, Conversation, InboundStatus, Message
from api.queue import DELIVER_CONVERSATION
from api.safety.step import crisis_language
from api.worker.deps import WorkerDeps, deps_of
from api.worker.outbound import queue_replies
from api.worker.rows import message_with_people
from embeddings import pack, unpack

log = logging.getLogger(__name__)

CONCERN = "safety_concern"
#: The urgent lane's embedding of a message, for the turn (packed); gone after ten minutes.
EMBEDDING_TTL = 600


def _embedding_key(message: Message) -> str:
    """By the message's id and a hash of its words: SQLite can give a deleted message's id to a
    new one (retention, erasure), and a vector left for the old one must not be read for it."""
    digest = hashlib.sha256(message.body.encode("utf-8")).hexdigest()[:16]
    return f"embedding:{message.id}:{digest}"


async def vector_of(deps: WorkerDeps, message: Message) -> np.ndarray | None:
    """The message's embedding: the one the urgent lane left, or computed now."""
    try:
        saved = await deps.redis.getdel(_embedding_key(message))
    except Exception:  # noqa: BLE001 - Redis away: compute it
        saved = None
    vector = unpack(saved.decode() if isinstance(saved, bytes) else saved)
    return vector if vector is not None else await deps.understanding.vector(message.body)


async def screen_meaning(ctx: dict[str, Any], message_id: int) -> bool:
    """The urgent lane's job for every message the phrase lists did not match."""
    deps = deps_of(ctx)
    async with deps.sessions() as session:
        loaded = await message_with_people(session, message_id)
        if loaded is None:
            return False
        message, conversation, contact = loaded
        if message.status != InboundStatus.RECEIVED.value or not bot_may_answer(conversation):
            return False  # answered already, or a person reads it
        vector = await deps.understanding.vector(message.body)
        if vector is None:
            return False
        await deps.redis.set(_embedding_key(message), pack(vector), ex=EMBEDDING_TTL)
        kinds = deps.understanding.crisis_kinds(vector)
        if not kinds:
            return False
        language = crisis_language(contact, message.body, [], deps.settings.default_language, deps.detector)
        return await send_concern(deps, session, conversation, message, language, kinds)


async def send_concern(
    deps: WorkerDeps,
    session: AsyncSession,
    conversation: Conversation,
    message: Message,
    language: str,
    kinds: list[str],
) -> bool:
    """Queue the concern message (once for a message) and send it from the urgent lane."""
    key = f"concern:{message.id}"
    if await session.scalar(select(Message.id).where(Message.dedupe_key == f"{key}:0")) is not None:
        return False  # the other path found it first
    await queue_replies(session, conversation, language, [BotReply(CONCERN)], key, urgent=True)
    session.add(
        AuditEvent(actor="safety screen", action=CONCERN, conversation_id=conversation.id, note=kinds[0])
    )
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()  # the other path committed it a moment ago
        await session.refresh(message)
        await session.refresh(conversation)
        return False
    log.warning("safety concern (%s) on conversation %s", kinds[0], conversation.id)
    await deps.redis.enqueue_job(
        DELIVER_CONVERSATION, conversation.id, _queue_name=deps.settings.urgent_queue_name
    )
    return True
