"""Sending a conversation's queued replies, in order, each at most once.

A message is marked "sending" before the provider call. If a worker dies in that window,
the next attempt asks the provider whether the message got there before sending again.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from arq import Retry
from redis.exceptions import LockError
from sqlalchemy import case, update

from api.db.models import Channel, Message, utcnow
from api.gateway.delivery import STATUS_RANK, rank_of, visible_status
from api.inbox import events
from api.inbox.compose import template_variables
from api.queue import enqueue_delivery
from api.reminders.fallback import sms_instead
from api.transports.base import (
    AmbiguousSendError,
    Outgoing,
    PermanentSendError,
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
            message.status, message.status_rank, message.error_code = "failed", STATUS_RANK["failed"], refused
            await session.commit()
            return
        try:
            if message.status == "sending":
                # An earlier attempt was cut off after it may have reached the provider.
                since = (message.updated_at or message.created_at) - timedelta(minutes=5)
                found = await deps.transport.find_sent(outgoing, since)
                if found is not None:
                    await _record(deps, message.id, conversation.id, found)
                    return
            message.status, message.attempts = "sending", message.attempts + 1
            await session.commit()
            result = await deps.transport.send(outgoing)
        except PermanentSendError as exc:
            message.status, message.status_rank, message.error_code = (
                "failed",
                STATUS_RANK["failed"],
                exc.code,
            )
            copy = await sms_instead(session, message, contact, conversation, exc.code)
            await session.commit()
            log.warning("message %s failed for good (%s)", message.id, exc.code)
            if copy is not None:
                log.info("message %s goes by SMS instead (message %s)", message.id, copy.id)
                await enqueue_delivery(deps.redis, conversation.id, copy.id)
            return
        except AmbiguousSendError as exc:
            message.error_code = exc.code  # stays "sending": the next try looks it up first
            await session.commit()
            raise _Later(backoff(message.attempts, settings.retry_max_delay)) from None
        except TransientSendError as exc:
            message.error_code = exc.code
            if message.attempts >= settings.send_max_attempts:
                message.status, message.status_rank = "failed", STATUS_RANK["failed"]
                await session.commit()
                log.warning("message %s failed after %d attempts", message.id, message.attempts)
                return
            message.status = "pending"
            await session.commit()
            raise _Later(backoff(message.attempts, settings.retry_max_delay)) from None
    await _record(deps, message_id, conversation.id, result)


async def _record(deps: WorkerDeps, message_id: int, conversation_id: int, result: SendResult) -> None:
    rank = rank_of(result.status) or STATUS_RANK["queued"]
    # A status callback may already have moved it further; never move it back. (Both CASEs
    # read the row as it was before this UPDATE.)
    ahead = Message.status_rank < rank
    async with deps.engine.connect() as conn:  # Core on a plain connection: no session needed
        await conn.execute(
            update(Message)
            .where(Message.id == message_id)
            .values(
                provider_sid=result.sid,
                sent_at=utcnow(),
                error_code=None,
                status=case((ahead, visible_status(result.status)), else_=Message.status),
                status_rank=case((ahead, rank), else_=Message.status_rank),
            )
        )
        await conn.commit()
    await events.publish(deps.redis, "status", conversation_id)
