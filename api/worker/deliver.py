"""Sending a conversation's queued replies, in order, each at most once.

A message is marked handing_over before the provider call. If a worker dies in that window (or
the call's answer is lost), the next attempt asks the provider whether the message got there
before sending again. Every change of state goes through api/db/delivery_states.py.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from arq import Retry
from redis.exceptions import LockError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import delivery_states as delivery
from api.db.delivery_states import UNSENT
from api.db.models import Channel, Delivery, Message
from api.inbox import events
from api.inbox.compose import template_variables
from api.queue import enqueue_delivery
from api.reminders.fallback import sms_instead
from api.transports.base import (
    AmbiguousSendError,
    Outgoing,
    PermanentSendError,
    SendError,
    SendResult,
    TransientSendError,
)
from api.worker.deps import WorkerDeps, backoff, deps_of
from api.worker.keywords import may_send
from api.worker.rows import first_unsent, message_with_people

log = logging.getLogger(__name__)


class _Later(Exception):
    def __init__(self, delay: float) -> None:
        self.delay = delay


async def deliver_conversation(ctx: dict[str, Any], conversation_id: int) -> int:
    deps = deps_of(ctx)
    lock = deps.redis.lock(f"{deps.settings.queue_name}:lock:send:{conversation_id}", timeout=60)
    if not await lock.acquire(blocking=False):
        raise Retry(defer=0.2)
    sent = 0
    try:
        while (message_id := await first_unsent(deps.engine, conversation_id)) is not None:
            await _deliver(deps, message_id)
            sent += 1
    except _Later as later:
        raise Retry(defer=later.delay) from None
    finally:
        try:
            await lock.release()
        except LockError:
            log.warning("send lock for conversation %s expired before release", conversation_id)
    return sent


async def _deliver(deps: WorkerDeps, message_id: int) -> None:
    settings = deps.settings
    async with deps.sessions() as session:
        loaded = await message_with_people(session, message_id)
        if loaded is None:
            return
        message, conversation, contact = loaded
        if message.status not in UNSENT:
            return  # another job or a status callback moved it meanwhile
        outgoing = Outgoing(
            to=contact.phone,
            channel=Channel(message.channel),
            body=message.body,
            status_callback=settings.public_url(f"/twilio/status?m={message.id}")
            if deps.transport.name == "twilio"
            else None,
            content_sid=message.content_sid,
            content_variables=template_variables(message.params) if message.content_sid else None,
        )
        # Never sent: the resident texted STOP (only what they may still get goes), or we
        # have no number to send to.
        refused = (
            "opted-out"
            if not may_send(contact, message.catalog_key)
            else "no-number"
            if not contact.phone_valid
            else None
        )
        if refused is not None:
            await delivery.give_up(session, message.id, refused)
            await session.commit()
            return
        attempts = message.attempts + 1
        if message.status == Delivery.HANDING_OVER:
            # An earlier attempt was cut off after it may have reached the provider.
            since = (message.updated_at or message.created_at) - timedelta(minutes=5)
            try:
                found = await deps.transport.find_sent(outgoing, since, await _known_sids(session, message))
            except SendError as exc:
                if attempts >= settings.send_max_attempts:
                    await delivery.give_up(session, message.id, exc.code)
                    await session.commit()
                    log.warning("message %s: not found at the provider after %d tries", message.id, attempts)
                    return
                await delivery.unsure(session, message.id, exc.code, count_try=True)
                await session.commit()
                raise _Later(backoff(attempts, settings.retry_max_delay)) from None
            if found is not None:
                await _record(deps, message.id, conversation.id, found)
                return
        if not await delivery.start_hand_over(session, message.id):
            return
        await session.commit()
        try:
            result = await deps.transport.send(outgoing)
        except PermanentSendError as exc:
            await delivery.give_up(session, message.id, exc.code)
            copy = await sms_instead(session, message, contact, conversation, exc.code)
            await session.commit()
            log.warning("message %s failed for good (%s)", message.id, exc.code)
            if copy is not None:
                log.info("message %s goes by SMS instead (message %s)", message.id, copy.id)
                await enqueue_delivery(deps.redis, conversation.id, copy.id)
            return
        except AmbiguousSendError as exc:
            # Stays handing_over: the next try looks it up first.
            moved = await delivery.unsure(session, message.id, exc.code)
            await session.commit()
            if moved:
                raise _Later(backoff(attempts, settings.retry_max_delay)) from None
            return
        except TransientSendError as exc:
            if attempts >= settings.send_max_attempts:
                await delivery.give_up(session, message.id, exc.code)
                await session.commit()
                log.warning("message %s failed after %d attempts", message.id, attempts)
                return
            moved = await delivery.not_taken(session, message.id, exc.code)
            await session.commit()
            if moved:
                raise _Later(backoff(attempts, settings.retry_max_delay)) from None
            return
    await _record(deps, message_id, conversation.id, result)


async def _known_sids(session: AsyncSession, message: Message) -> frozenset[str]:
    """The provider ids of this conversation's other messages with the same words: a lookup by
    words must not take one of them for this message (it would be never sent, and its id is
    already taken)."""
    found = await session.scalars(
        select(Message.provider_sid).where(
            Message.conversation_id == message.conversation_id,
            Message.id != message.id,
            Message.body == message.body,
            Message.provider_sid.is_not(None),
        )
    )
    return frozenset(sid for sid in found if sid)


async def _record(deps: WorkerDeps, message_id: int, conversation_id: int, result: SendResult) -> None:
    async with deps.engine.connect() as conn:  # Core on a plain connection: no session needed
        moved = await delivery.handed_over(conn, message_id, result.sid, result.status)
        await conn.commit()
    if not moved:
        log.warning("message %s: the provider took it, but it was no longer being handed over", message_id)
    await events.publish(deps.redis, "status", conversation_id)
