"""The semantic net's finding: what the phrase lists did not catch, but the meaning did.

It is a wider net than the phrase lists, so it is also wrong more often (measured in
docs/understanding.md). Its answer is built for both cases: at once, from the urgent lane,
the emergency numbers and a way to a person; the bot still answers the message itself, and
the conversation is not silenced (a false alarm must not leave a resident waiting days for
a person). The team sees it in the audit trail and can take the conversation.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.bot_client import BotReply
from api.db.models import AuditEvent, Conversation, Message
from api.queue import DELIVER_CONVERSATION
from api.worker.deps import WorkerDeps
from api.worker.outbound import queue_replies

log = logging.getLogger(__name__)

CONCERN = "safety_concern"


async def send_concern(
    deps: WorkerDeps,
    session: AsyncSession,
    conversation: Conversation,
    message: Message,
    language: str,
    kinds: list[str],
) -> None:
    await queue_replies(
        session, conversation, language, [BotReply(CONCERN)], f"concern:{message.id}", urgent=True
    )
    session.add(
        AuditEvent(actor="safety screen", action=CONCERN, conversation_id=conversation.id, note=kinds[0])
    )
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()  # sent by an earlier try of this turn
        return
    log.warning("safety concern (%s) on conversation %s", kinds[0], conversation.id)
    await deps.redis.enqueue_job(
        DELIVER_CONVERSATION, conversation.id, _queue_name=deps.settings.urgent_queue_name
    )
