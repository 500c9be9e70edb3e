"""The bot's turn for a conversation: its waiting inbound messages, oldest first.

One job at a time per conversation (a Redis lock), so each resident's messages are handled
in order even with several workers. Every step is idempotent: a retried or duplicated job,
or a worker killed at any moment, never answers a message twice and never drops one.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from arq import Retry
from redis.exceptions import LockError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import rights
from api.bot_client import BotReply, BotUnavailable
from api.conversations import bot_may_answer, transition
from api.db.models import Contact, Conversation, Direction, InboundStatus, Message, Owner, utcnow
from api.inbox import events, handoff
from api.keywords import keyword_of
from api.languages import normalize_digits
from api.queue import enqueue_delivery
from api.referrals.replies import complete
from api.reminders.replies import answer as reminder_answer
from api.safety.phrases import screen
from api.safety.step import from_bot
from api.worker.concern import send_concern, vector_of
from api.worker.deliver import deliver_conversation
from api.worker.deps import WorkerDeps, backoff, deps_of
from api.worker.handoff import after_turn, bot_replies
from api.worker.keywords import keyword_replies
from api.worker.language import language_step
from api.worker.outbound import queue_replies
from api.worker.rows import first_unsent, first_waiting, flagged, message_with_people
from api.worker.urgent import after_flag, answer_urgently
from embeddings import pack

log = logging.getLogger(__name__)

#: Sent instead of the text when a resident comes back to an unfinished referral.
RESUME_TRIGGER = "/EXTERNAL_resume_referral"


class _Later(Exception):
    """Stop here and come back after `delay` seconds (the bot is down or slow)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay


async def process_conversation(ctx: dict[str, Any], conversation_id: int) -> int:
    deps = deps_of(ctx)
    lock = deps.redis.lock(
        f"{deps.settings.queue_name}:lock:turn:{conversation_id}",
        timeout=deps.settings.bot_timeout + 15,
    )
    if not await lock.acquire(blocking=False):
        # Another job is on this conversation; it handles every waiting message, but come
        # back in case this one's message arrived just as it finished.
        raise Retry(defer=0.2)
    handled = 0
    try:
        while (message_id := await first_waiting(deps.engine, conversation_id)) is not None:
            await _handle(deps, message_id)
            await _deliver_now(ctx, deps, conversation_id)
            handled += 1
    except _Later as later:
        raise Retry(defer=later.delay) from None
    finally:
        try:
            await lock.release()
        except LockError:
            log.warning("turn lock for conversation %s expired before release", conversation_id)
    return handled


async def _deliver_now(ctx: dict[str, Any], deps: WorkerDeps, conversation_id: int) -> None:
    """Send the replies in this job: one job per message instead of two (measured with
    bench/inbound.py). If another job is sending on this conversation, or the provider says
    "later", a delivery job takes over; if this worker dies first, the recovery sweep does."""
    try:
        await deliver_conversation(ctx, conversation_id)
    except Exception:  # noqa: BLE001 - arq's Retry included: the queue retries it instead
        first = await first_unsent(deps.engine, conversation_id)
        if first is not None:
            await enqueue_delivery(deps.redis, conversation_id, first)


async def _handle(deps: WorkerDeps, message_id: int) -> None:
    async with deps.sessions() as session:
        loaded = await message_with_people(session, message_id)
        assert loaded is not None
        message, conversation, contact = loaded
        if message.status != InboundStatus.RECEIVED.value:
            return  # handled meanwhile (only if this job's lock ran out)
        owner_before, flag_before = conversation.owner, conversation.safety_flag
        await _turn(deps, session, message, conversation, contact)
        await after_turn(deps, conversation, message_id, owner_before, flag_before)
        conversation_id, flagged = conversation.id, bool(message.safety)
    if flagged:
        await after_flag(deps, conversation_id, message_id)


async def _turn(
    deps: WorkerDeps, session: AsyncSession, message: Message, conversation: Conversation, contact: Contact
) -> bool:
    """The answer to one message; True if it was the urgent routes."""
    language = contact.language or deps.settings.default_language

    hits = screen(message.body) if message.body.strip() else []
    if hits:
        # Crisis or safeguarding words: the urgent routes at once, whoever owns the
        # conversation and whether or not the bot is up; then a person takes over. The
        # urgent lane has usually answered already (the gateway queued it): then nothing
        # more is sent.
        return await answer_urgently(deps, session, message, conversation, contact, hits)

    # A reply to a reminder or follow-up (1/2/3, CONFIRM, CANCEL...) comes before keywords:
    # CANCEL here cancels the appointment, it does not opt the resident out.
    to_reminder = await reminder_answer(session, conversation, contact, message.body, utcnow(), deps.hours)
    if to_reminder is not None:
        await _send_now(deps, session, conversation, message, language, to_reminder.replies)
        await events.publish(deps.redis, "reminder", conversation.id)
        return False

    keyword = keyword_of(message.body)
    if keyword is not None:
        keyword_answer = await keyword_replies(deps, session, conversation, contact, keyword)
        if keyword_answer is not None:
            await _send_now(deps, session, conversation, message, language, keyword_answer)
            return False
    elif contact.opted_out_at is not None:
        # Opted out: the message is kept for the team, and nothing is sent back.
        message.status = InboundStatus.PROCESSED.value
        await session.commit()
        return False

    handoff.back_to_person_on_reply(conversation, utcnow())
    if not bot_may_answer(conversation):
        # A person owns the conversation: the message waits for them, the bot is silent,
        # except that the language menu still works (the person will write in it too).
        step = await language_step(
            session,
            contact,
            conversation,
            message.body.strip(),
            deps.settings.default_language,
            deps.detector,
        )
        if step.answered:
            step.apply(contact, conversation)
            await _send_now(deps, session, conversation, message, step.language, step.replies)
            return False
        message.status = InboundStatus.PROCESSED.value
        await session.commit()
        return False

    text = message.body.strip()
    if not text:
        replies = [BotReply("media_received" if message.media else "empty_message")]
    else:
        step = await language_step(
            session, contact, conversation, text, deps.settings.default_language, deps.detector
        )
        language = step.language
        replies = list(step.replies)
        if not step.answered:
            # A STOP keyword that reaches the bot is inside the referral: it stops the
            # questions, whatever the word (ANULUJ, বন্ধ, ...), so the bot gets the intent.
            stop_in_form = keyword == "stop"
            vector = await vector_of(deps, message)
            concern = deps.understanding.crisis_kinds(vector)
            if concern:
                await send_concern(deps, session, conversation, message, language, concern)
            bot_text = "/stop" if stop_in_form else await _text_for_bot(deps, session, message, contact, text)
            embedding = pack(vector) if vector is not None and bot_text == text else None
            answered = await _ask_bot(
                deps, session, message, conversation, contact, bot_text, language, embedding
            )
            if not answered:
                # Every turn answers something: silence would leave the resident with no way on.
                log.warning("the bot gave no reply to message %s; sending the fallback", message.id)
                answered = [BotReply("fallback")]
            answered = from_bot(session, conversation, message, answered, concern)
            answered = await bot_replies(deps, session, conversation, answered)
            for r in answered:
                r = await rights.complete(session, deps.settings, contact, conversation, r, utcnow())
                replies.append(await complete(session, contact, conversation, language, r))
            replies += step.after
        if len(text) > deps.settings.bot_max_chars:
            replies.insert(0, BotReply("long_message"))
        step.menu_open = step.menu_open or any(r.key == "language_menu" for r in replies)
        step.apply(contact, conversation)

    if Owner(conversation.owner) == Owner.RESOLVED:
        if await flagged(deps.engine, conversation.id):
            # The urgent lane flagged it while this turn waited for the bot (this session's copy
            # is older): a person takes it, never the bot.
            handoff.begin(conversation, "safety", utcnow())
        else:
            transition(conversation, Owner.BOT)
    await _send_now(deps, session, conversation, message, language, replies)
    return False


async def _send_now(
    deps: WorkerDeps,
    session: AsyncSession,
    conversation: Conversation,
    message: Message,
    language: str,
    replies: list[BotReply],
) -> None:
    """Queue the replies to this message (each once), mark it handled, and send."""
    queued = await queue_replies(session, conversation, language, replies, f"reply:{message.id}")
    message.status = InboundStatus.PROCESSED.value
    await session.commit()  # sent by process_conversation once this message is handled
    log.info("message %s answered with %d replies", message.id, len(queued))


async def _text_for_bot(
    deps: WorkerDeps, session: AsyncSession, message: Message, contact: Contact, text: str
) -> str:
    """What the bot is sent for this message.

    Digits of any script become 0-9, and a leading "/" is dropped (Rasa would read
    "/intent" as a command, not as words). A resident who comes back to an unfinished
    referral after a pause is asked whether to carry on, instead of the message being
    taken as the next answer.
    """
    cleaned = re.sub(r"^[/\s]+", "", normalize_digits(text)) or "?"
    previous = await session.scalar(
        select(func.max(Message.created_at)).where(
            Message.conversation_id == message.conversation_id,
            Message.direction == Direction.IN.value,
            Message.id < message.id,
        )
    )
    if previous is None:
        return cleaned
    idle = (_aware(message.created_at) - _aware(previous)).total_seconds()
    if idle >= deps.settings.referral_resume_after:
        try:
            if await deps.bot.active_loop(contact.uid) == "referral_form":
                return RESUME_TRIGGER
        except BotUnavailable:
            pass  # _ask_bot meets the same outage and waits for the bot
    return cleaned


async def _ask_bot(
    deps: WorkerDeps,
    session: AsyncSession,
    message: Message,
    conversation: Conversation,
    contact: Contact,
    text: str,
    language: str,
    embedding: str | None = None,
) -> list[BotReply]:
    settings = deps.settings
    try:
        if message.attempts > 0:
            # An earlier attempt may have reached Rasa: reuse its answer, never ask twice.
            earlier = await deps.bot.replies_already_given(contact.uid, message.id)
            if earlier is not None:
                return earlier
        await deps.bot.ensure_actions_up()
        message.attempts += 1
        await session.commit()
        # A slow turn is simply waited for: the urgent lane's sweep sends the holding reply,
        # counted from the message's arrival (api/worker/urgent.py).
        clipped = text[: settings.bot_max_chars]
        return await deps.bot.turn(
            contact.uid, clipped, message.id, language, embedding if clipped == text else None
        )
    except BotUnavailable as exc:
        log.warning("bot unavailable for message %s (%s), try %d", message.id, exc, message.attempts)
        raise _Later(backoff(message.attempts, settings.retry_max_delay)) from None


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
