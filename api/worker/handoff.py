"""The worker's side of the handoff: turning the bot's request into the right message,
handing over after two misunderstandings, and telling open inboxes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from arq import Retry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.bot_client import BotReply, BotUnavailable
from api.db.models import Author, Contact, Conversation, Direction, Message, Owner, utcnow
from api.inbox import events, handoff
from api.queue import KEEP_STORY
from api.worker.deps import WorkerDeps, backoff, deps_of

log = logging.getLogger(__name__)

WITH_A_PERSON = (Owner.WAITING.value, Owner.HUMAN.value)


#: Sent by the urgent lane, not answers of the bot's: a holding reply between two
#: misunderstandings must not break "two in a row", nor a concern message.
NOT_ANSWERS = ("holding", "safety_concern")


async def _last_bot_key(session: AsyncSession, conversation_id: int) -> str | None:
    return await session.scalar(
        select(Message.catalog_key)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.OUT.value,
            Message.author == Author.BOT.value,
            Message.catalog_key.not_in(NOT_ANSWERS),
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
    conversation: Conversation,
    message_id: int,
    owner_before: str,
    flag_before: str | None,
) -> None:
    """Tell open inboxes what changed; a new handoff's story is kept by a job of its own, so
    no reply ever waits for the bot's memory."""
    kind = None
    if conversation.owner in WITH_A_PERSON and owner_before not in WITH_A_PERSON:
        kind = "handoff"
        try:
            await deps.redis.enqueue_job(KEEP_STORY, conversation.id, _job_id=f"story:{message_id}")
        except Exception:  # noqa: BLE001 - the transcript is always there
            log.warning("could not queue the handoff story of conversation %s", conversation.id)
    elif conversation.safety_flag != flag_before:
        kind = "flag"
    elif conversation.owner in WITH_A_PERSON:
        kind = "message"
    if kind is not None:
        await events.publish(deps.redis, kind, conversation.id)


#: Tries of the bot for a handoff's story before it is kept without the bot's answers.
STORY_TRIES = 4


async def keep_story(ctx: dict[str, Any], conversation_id: int) -> bool:
    """What the bot knows (needs, referral answers so far), so nobody asks again.

    A job on the main queue, run after the replies are out. Best effort: a handoff in a
    crisis may happen while the bot is down; after a few tries the story is kept without
    the bot's answers (the transcript is always there). A story is kept once per handoff.
    """
    deps = deps_of(ctx)
    async with deps.sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None or conversation.owner not in WITH_A_PERSON:
            return False
        if _kept_for_this_handoff(conversation):
            return False
        contact = await session.get(Contact, conversation.contact_id)
        assert contact is not None
        try:
            slots = await deps.bot.slots(contact.uid)
        except BotUnavailable:
            attempt = ctx.get("job_try", 1)
            if attempt < STORY_TRIES:
                raise Retry(defer=backoff(attempt, deps.settings.retry_max_delay)) from None
            log.warning(
                "bot unavailable: handoff of conversation %s has only the transcript", conversation.id
            )
            slots = {}
        conversation.handoff_context = handoff.story(slots, utcnow())
        await session.commit()
    await events.publish(deps.redis, "handoff", conversation_id)
    return True


def _kept_for_this_handoff(conversation: Conversation) -> bool:
    context = conversation.handoff_context or {}
    if not context.get("at") or conversation.waiting_since is None:
        return False
    kept = datetime.fromisoformat(str(context["at"]))
    since = conversation.waiting_since
    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    return kept >= since
