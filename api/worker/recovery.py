"""The recovery sweep: the database is the truth, the queue only a hint.

Anything stored but not handled for a while (a job lost with Redis, an enqueue that failed
after the message was stored) is put back on the queue. Jobs are idempotent, so a message
that is merely slow is not harmed by a second job.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from arq.constants import in_progress_key_prefix, job_key_prefix
from sqlalchemy import func, or_, select

from api.db.delivery_states import UNSENT
from api.db.models import Direction, InboundStatus, Message, Reminder, utcnow
from api.queue import DELIVER_CONVERSATION, PROCESS_CONVERSATION
from api.reminders.send import SEND_REMINDER
from api.reminders.send import job_id as reminder_job_id
from api.worker.deps import WorkerDeps, deps_of

log = logging.getLogger(__name__)


async def recover(ctx: dict[str, Any]) -> dict[str, int]:
    deps = deps_of(ctx)
    cutoff = utcnow() - timedelta(seconds=deps.settings.recovery_after)
    async with deps.sessions() as session:
        inbound = await session.execute(
            select(Message.conversation_id, func.min(Message.id))
            .where(
                Message.direction == Direction.IN.value,
                Message.status == InboundStatus.RECEIVED.value,
                Message.updated_at < cutoff,
            )
            .group_by(Message.conversation_id)
        )
        outbound = await session.execute(
            select(Message.conversation_id, func.min(Message.id))
            .where(
                Message.direction == Direction.OUT.value,
                Message.status.in_(UNSENT),
                Message.updated_at < cutoff,
                # A message waiting for the resident's safe time is sent once that comes.
                or_(Message.not_before.is_(None), Message.not_before <= utcnow()),
            )
            .group_by(Message.conversation_id)
        )
        due_reminders = list(
            await session.scalars(
                select(Reminder.id).where(Reminder.status == "pending", Reminder.due_at < cutoff).limit(1000)
            )
        )
        waiting_in, waiting_out = inbound.all(), outbound.all()
    for conversation_id, first_id in waiting_in:
        await _requeue(deps, PROCESS_CONVERSATION, conversation_id, f"in:{first_id}")
    for conversation_id, first_id in waiting_out:
        # Due by the database: a delivery job still waiting for a later time is brought forward.
        await _requeue(deps, DELIVER_CONVERSATION, conversation_id, f"out:{first_id}", due_now=True)
    for reminder_id in due_reminders:
        # A due reminder whose job Redis lost (or never got) is sent now: late, never skipped.
        await _requeue(deps, SEND_REMINDER, reminder_id, reminder_job_id(reminder_id))
    if waiting_in or waiting_out:
        log.info("recovery: %d conversations to answer, %d to deliver", len(waiting_in), len(waiting_out))
    return {"inbound": len(waiting_in), "outbound": len(waiting_out), "reminders": len(due_reminders)}


async def _requeue(
    deps: WorkerDeps, function: str, conversation_id: int, job_id: str, due_now: bool = False
) -> None:
    """Enqueue unless that job is really queued or running (with `due_now`, a queued one that
    waits for a later time is made due now).

    Job ids name the oldest waiting message, so a job still queued for it is not doubled. If
    Redis lost the queue entry but kept the job's key, arq would refuse the same id until the
    key expires, so a stale key is cleared first.
    """
    queue = deps.settings.queue_name
    score = await deps.redis.zscore(queue, job_id)
    if score is not None:
        now_ms = int(time.time() * 1000)
        if due_now and score > now_ms:
            await deps.redis.zadd(queue, {job_id: now_ms}, xx=True)
        return
    if await deps.redis.exists(in_progress_key_prefix + job_id):
        return
    await deps.redis.delete(job_key_prefix + job_id)
    await deps.redis.enqueue_job(function, conversation_id, _job_id=job_id)
