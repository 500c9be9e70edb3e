"""Names and helpers for jobs on the Redis job queue (arq)."""

from __future__ import annotations

import logging

from arq.connections import ArqRedis, RedisSettings, create_pool

log = logging.getLogger(__name__)

PROCESS_CONVERSATION = "process_conversation"
DELIVER_CONVERSATION = "deliver_conversation"
PURGE = "purge"


def redis_settings(url: str) -> RedisSettings:
    return RedisSettings.from_dsn(url)


async def make_pool(url: str, queue_name: str) -> ArqRedis:
    return await create_pool(redis_settings(url), default_queue_name=queue_name)


async def enqueue_processing(queue: ArqRedis, conversation_id: int, message_id: int) -> bool:
    """Ask a worker to handle a conversation's waiting messages. False if Redis failed:
    the message is stored, so the worker's recovery sweep will still find it."""
    try:
        await queue.enqueue_job(PROCESS_CONVERSATION, conversation_id, _job_id=f"in:{message_id}")
    except Exception:  # noqa: BLE001 - any Redis failure; the stored message is the truth
        log.warning("could not enqueue message %s; the recovery sweep will pick it up", message_id)
        return False
    return True


async def enqueue_delivery(queue: ArqRedis, conversation_id: int, first_message_id: int) -> bool:
    try:
        await queue.enqueue_job(DELIVER_CONVERSATION, conversation_id, _job_id=f"out:{first_message_id}")
    except Exception:  # noqa: BLE001
        log.warning(
            "could not enqueue delivery from %s; the recovery sweep will pick it up", first_message_id
        )
        return False
    return True
