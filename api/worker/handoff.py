"""The worker's side of the handoff: turning the bot's request into the right message,
handing over after two misunderstandings, and telling open inboxes."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.bot_client import BotReply, BotUnavailable
from api.db.models import Author, Contact, Conversation, Direction, Message, Owner, utcnow
from api.inbox import events, handoff
from api.worker.deps import WorkerDeps

log = logging.getLogger(__name__)

WITH_A_PERSON = (Owner.WAITING.value, Owner.HUMAN.value)


async def _last_bot_key(session: AsyncSession, conversation_id: int) -> str | None:
    return await session.scalar(
        select(Message.catalog_key)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.OUT.value,
            Message.author == Author.BOT.value,
        )
        .order_by(Message.id.desc())
        .limit(1)
    )


async def bot_replies(
    deps: WorkerDeps, session: AsyncSession, conversation: Conversation, replies: list[BotReply]
) -> list[BotReply]:
    """The bot's replies, with any request for a person turned into the handoff."""
    now = utcnow()
    reason = "asked"
    if any(handoff.is_misunderstanding(r.key) for r in replies) and handoff.is_misunderstanding(
        await _last_bot_key(session, conversation.id) or ""
    ):
        # Two misunderstandings in a row: a person takes over.
        replies = [r for r in replies if not handoff.is_misunderstanding(r.key)]
        replies += [BotReply("handoff_not_understood"), BotReply("human_requested")]
        reason = "not_understood"
    elif any(r.key == "handoff_not_understood" for r in replies):
        reason = "form"  # stuck on one referral question (actions/referral_form.py)
    if not any(r.key in handoff.BOT_HANDOFF_KEYS for r in replies):
        return replies
    handoff.begin(conversation, reason, now)
    return [handoff.reply_for(deps.hours, now) if r.key in handoff.BOT_HANDOFF_KEYS else r for r in replies]


async def after_turn(
    deps: WorkerDeps,
    session: AsyncSession,
    conversation: Conversation,
    contact: Contact,
    owner_before: str,
    flag_before: str | None,
) -> None:
    """Keep the story of a new handoff, then tell open inboxes what changed."""
    kind = None
    if conversation.owner in WITH_A_PERSON and owner_before not in WITH_A_PERSON:
        kind = "handoff"
        await _keep_story(deps, session, conversation, contact)
    elif conversation.safety_flag != flag_before:
        kind = "flag"
    elif conversation.owner in WITH_A_PERSON:
        kind = "message"
    if kind is not None:
        await events.publish(deps.redis, kind, conversation.id)


async def _keep_story(
    deps: WorkerDeps, session: AsyncSession, conversation: Conversation, contact: Contact
) -> None:
    """What the bot knows (needs, referral answers so far), so nobody asks again.

    Best effort: a handoff in a crisis may happen while the bot is down; the transcript is
    always there.
    """
    try:
        slots = await deps.bot.slots(contact.uid)
    except BotUnavailable:
        log.warning("bot unavailable: handoff of conversation %s has only the transcript", conversation.id)
        slots = {}
    conversation.handoff_context = handoff.story(slots, utcnow())
    await session.commit()
