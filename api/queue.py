"""Names and helpers for jobs on the Redis job queue (arq)."""

from __future__ import annotations

import logging

from arq.connections import ArqRedis, RedisSettings, create_pool
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

PROCESS_CONVERSATION = "process_conversation"
DELIVER_CONVERSATION = "deliver_conversation"
PURGE = "purge"


def redis_settings(url: str, patient: bool = False) -> RedisSettings:
    """arq's connection settings. `patient` (the worker): ride out a Redis restart, retrying
    each command for about 15 s while Redis is down or still loading its append-only file. The
    gateway stays impatient: it must answer Twilio at once, and a failed enqueue is caught by
    the recovery sweep."""
    settings = RedisSettings.from_dsn(url)
    if patient:
        settings.retry_on_error = [RedisConnectionError, RedisTimeoutError, BusyLoadingError]
        settings.retry = Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=25)
    return settings


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
