"""The urgent lane: safety replies, holding replies and on-call alerts.

It has its own queue and its own worker process (`python -m api.worker --lane urgent`), run
at the gateway's CPU priority while bot turns run at a lower one. So a backlog of turns, a
slow or stopped bot, or a turn waiting on the bot for the resident's story can never hold up
the urgent routes:

- the gateway screens every message as it stores it and queues `urgent_reply` for one that
  matches the crisis phrases (the turn screens again: if Redis lost the job, the recovery
  sweep's turn answers it the same way, and the two never both answer);
- `hold_sweep` runs every second: a message that has waited HOLDING_REPLY_AFTER seconds
  since it ARRIVED gets one short holding reply, whatever the turn is doing;
- out of hours, a safety flag alerts the on-call address (`api/worker/oncall.py`).

The story for the practitioner (what the bot knew) is kept afterwards by a job on the main
queue (`keep_story`), never by making the urgent reply wait for the bot.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from arq import Retry
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.db.models import Contact, Conversation, Direction, InboundStatus, Message, Owner, utcnow
from api.inbox import events
from api.queue import DELIVER_CONVERSATION, KEEP_STORY, ONCALL_ALERT, enqueue_many
from api.safety.phrases import Phrase, screen
from api.safety.step import categories, crisis_language, raise_flag, team_line
from api.worker.deliver import deliver_conversation
from api.worker.deps import WorkerDeps, deps_of
from api.worker.outbound import queue_replies, queue_reply
from api.worker.rows import message_with_people

log = logging.getLogger(__name__)

WITH_A_PERSON = (Owner.WAITING.value, Owner.HUMAN.value)
#: Conversations whose residents get a holding reply: the bot's (a person's are silent).
BOT_OWNED = (Owner.BOT.value, Owner.RESOLVED.value)
#: At most this many conversations held per sweep (one a second), in one commit: a backlog
#: larger than this is held over the next seconds.
HOLD_BATCH = 500
HOLDING = "holding"


async def answer_urgently(
    deps: WorkerDeps,
    session: AsyncSession,
    message: Message,
    conversation: Conversation,
    contact: Contact,
    hits: list[Phrase],
) -> bool:
    """Flag the conversation, queue the urgent routes (and when a person will read it), and
    mark the message handled, in one commit. False if it was handled already, here or by the
    turn: the replies' keys are unique, so of two racing callers one commit fails."""
    if message.status != InboundStatus.RECEIVED.value:
        return False
    language = crisis_language(contact, message.body, hits, deps.settings.default_language, deps.detector)
    found = categories(hits)
    now = utcnow()
    replies = raise_flag(session, conversation, message, found)
    line = team_line(found, deps.hours, now)
    if line is not None:
        replies.append(line)
    await queue_replies(session, conversation, language, replies, f"urgent:{message.id}", urgent=True)
    message.status = InboundStatus.PROCESSED.value
    try:
        await session.commit()
    except IntegrityError:
        # Answered meanwhile by the other path: read what it wrote.
        await session.rollback()
        await session.refresh(message)
        await session.refresh(conversation)
        return False
    log.info("message %s answered with the urgent routes", message.id)
    return True


async def after_flag(deps: WorkerDeps, conversation_id: int, message_id: int) -> None:
    """What follows the urgent routes, each step idempotent: tell open inboxes, keep the
    story (on the main queue), and alert the on-call address if the team is closed."""
    await events.publish(deps.redis, "flag", conversation_id)
    try:
        await deps.redis.enqueue_job(
            KEEP_STORY, conversation_id, _job_id=f"story:{message_id}", _queue_name=deps.settings.queue_name
        )
        if deps.settings.oncall_alert_to and (
            deps.settings.oncall_alert_in_hours or not deps.hours.is_open(utcnow())
        ):
            await deps.redis.enqueue_job(
                ONCALL_ALERT,
                conversation_id,
                message_id,
                _job_id=f"oncall:{message_id}",
                _queue_name=deps.settings.urgent_queue_name,
            )
    except Exception:  # noqa: BLE001 - the replies are out; the flag is in the inbox
        log.warning("could not queue the story or on-call alert for conversation %s", conversation_id)


async def urgent_reply(ctx: dict[str, Any], message_id: int) -> bool:
    """The urgent lane's job for a message the gateway's screen matched."""
    deps = deps_of(ctx)
    async with deps.sessions() as session:
        loaded = await message_with_people(session, message_id)
        if loaded is None:
            return False
        message, conversation, contact = loaded
        hits = screen(message.body) if message.body.strip() else []
        if not hits:
            return False  # the phrase lists changed since the gateway screened it
        answered = await answer_urgently(deps, session, message, conversation, contact, hits)
        conversation_id = conversation.id
    try:
        await deliver_soon(ctx, conversation_id)
    finally:
        if answered:
            await after_flag(deps, conversation_id, message_id)
    return answered


async def deliver_soon(ctx: dict[str, Any], conversation_id: int) -> None:
    """Send the conversation's queued replies (urgent ones first) from this lane. If another
    job is sending on it, or the provider said "later", a delivery job on this lane's own
    queue takes over, so the main queue's backlog never delays it."""
    deps = deps_of(ctx)
    try:
        await deliver_conversation(ctx, conversation_id)
    except Retry as retry:
        delay = retry.defer_score / 1000 if retry.defer_score else 0.2
        await deps.redis.enqueue_job(
            DELIVER_CONVERSATION,
            conversation_id,
            _queue_name=deps.settings.urgent_queue_name,
            _defer_by=timedelta(seconds=delay),
        )


def _silent_since_arrival() -> Any:
    """Nothing has been sent to the resident since this message arrived, and the last thing
    sent was not already a holding reply: one holding reply per wait, however many messages
    the resident sends meanwhile (a real answer ends the wait)."""
    out = aliased(Message)
    sent_since = (
        select(out.id)
        .where(
            out.conversation_id == Message.conversation_id,
            out.direction == Direction.OUT.value,
            out.created_at >= Message.created_at,
        )
        .exists()
    )
    last_sent = (
        select(out.catalog_key)
        .where(out.conversation_id == Message.conversation_id, out.direction == Direction.OUT.value)
        .order_by(out.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return and_(~sent_since, func.coalesce(last_sent, "") != HOLDING)


async def hold_sweep(ctx: dict[str, Any]) -> int:
    """One holding reply for each conversation whose oldest unanswered message arrived
    HOLDING_REPLY_AFTER seconds ago or more (counted from receipt, so a backlog counts too,
    as does a slow or stopped bot). The only place holding replies are sent from."""
    deps = deps_of(ctx)
    cutoff = utcnow() - timedelta(seconds=deps.settings.holding_reply_after)
    async with deps.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(Message.conversation_id, func.min(Message.id))
                .join(Conversation, Conversation.id == Message.conversation_id)
                .join(Contact, Contact.id == Conversation.contact_id)
                .where(
                    Message.direction == Direction.IN.value,
                    Message.status == InboundStatus.RECEIVED.value,
                    Message.created_at <= cutoff,
                    Conversation.owner.in_(BOT_OWNED),
                    Contact.opted_out_at.is_(None),
                    Contact.phone_valid.is_(True),
                    _silent_since_arrival(),
                )
                .group_by(Message.conversation_id)
                .limit(HOLD_BATCH)
            )
        ).all()
    held = await _hold_all(deps, [message_id for _, message_id in rows])
    # Sent by this lane's own delivery jobs, many at once (one trip to Redis for all).
    await enqueue_many(
        deps.redis,
        DELIVER_CONVERSATION,
        [(f"hold-out:{out_id}", (conversation_id,)) for conversation_id, out_id in held],
        deps.settings.urgent_queue_name,
    )
    if held:
        log.info("holding replies queued for %d conversations", len(held))
    return len(held)


async def _hold_all(deps: WorkerDeps, message_ids: list[int]) -> list[tuple[int, int]]:
    """Queue a holding reply for each of these messages still unanswered, in one commit;
    (conversation id, holding reply id) for each."""
    now = utcnow()
    queued: list[tuple[int, Message]] = []
    async with deps.sessions() as session:
        for message_id in message_ids:
            loaded = await message_with_people(session, message_id)
            if loaded is None or loaded[0].status != InboundStatus.RECEIVED.value:
                continue  # answered meanwhile
            message, conversation, contact = loaded
            language = contact.language or deps.settings.default_language
            key = f"holding:{message.id}"
            out = await queue_reply(session, conversation, language, HOLDING, key, first=True)
            assert out is not None  # first=True: always a new row
            conversation.holding_sent_at = now
            queued.append((conversation.id, out))
        try:
            await session.commit()
        except IntegrityError:  # only if two sweeps overlapped: the next sweep finds what is left
            await session.rollback()
            return []
        return [(conversation_id, out.id) for conversation_id, out in queued]
