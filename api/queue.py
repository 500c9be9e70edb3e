"""Names and helpers for jobs on the Redis job queue (arq)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

PROCESS_CONVERSATION = "process_conversation"
DELIVER_CONVERSATION = "deliver_conversation"
PURGE = "purge"
#: The bot's story for the practitioner, kept after a handoff (main queue).
KEEP_STORY = "keep_story"
#: The urgent lane's jobs (api/worker/urgent.py), on Settings.urgent_queue_name.
URGENT_REPLY = "urgent_reply"
#: Every other message: the semantic net reads its meaning there, whatever the main backlog.
SCREEN_MEANING = "screen_meaning"
HOLD_SWEEP = "hold_sweep"
ONCALL_ALERT = "oncall_alert"
#: How long the gateway waits for Redis to come back before leaving a message to the recovery
#: sweep (seconds): far inside Twilio's 15 s, and only while Redis is away.
PATIENCE = 0.7


def redis_settings(url: str, patient: bool = False) -> RedisSettings:
    """arq's connection settings. `patient` (the worker): ride out a Redis restart, retrying
    each command for about 15 s while Redis is down or still loading its append-only file. The
    gateway stays impatient: it must answer Twilio at once, and a failed enqueue is caught by
    the recovery sweep. It does try once more at once when a connection breaks: after a Redis
    restart every pooled connection is dead, and without this the first command on each fails
    though Redis is up again. (A refused connection is not retried by redis-py; the gateway's
    own short wait for that is in `enqueue_processing`.)"""
    settings = RedisSettings.from_dsn(url)
    if settings.password:  # arq keeps it %-quoted as in the URL; redis-py's from_url unquotes it
        settings.password = unquote(settings.password)
    settings.retry_on_error = [RedisConnectionError]
    settings.retry = Retry(NoBackoff(), retries=1)
    if patient:
        settings.retry_on_error = [RedisConnectionError, RedisTimeoutError, BusyLoadingError]
        settings.retry = Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=25)
    return settings


async def make_pool(url: str, queue_name: str) -> ArqRedis:
    return await create_pool(redis_settings(url), default_queue_name=queue_name)


async def enqueue_delivery(queue: ArqRedis, conversation_id: int, first_message_id: int) -> bool:
    try:
        await queue.enqueue_job(DELIVER_CONVERSATION, conversation_id, _job_id=f"out:{first_message_id}")
    except Exception:  # noqa: BLE001
        log.warning(
            "could not enqueue delivery from %s; the recovery sweep will pick it up", first_message_id
        )
        return False
    return True


#: arq's enqueue (arq/connections.py, ArqRedis.enqueue_job) for many jobs in one round trip:
#: a job whose id is queued or has a result is left alone, as arq does. arq needs three round
#: trips a job (WATCH, EXISTS, then MULTI/EXEC); a script is atomic without them.
#: KEYS: the queue, then each job's job key and result key. ARGV: the expiry (ms), then each
#: job's id, score and serialized job.
_ENQUEUE_MANY = """
local added = 0
for i = 2, #KEYS, 2 do
  local at = 2 + (i / 2 - 1) * 3
  if redis.call('EXISTS', KEYS[i], KEYS[i + 1]) == 0 then
    redis.call('PSETEX', KEYS[i], ARGV[1], ARGV[at + 2])
    redis.call('ZADD', KEYS[1], ARGV[at + 1], ARGV[at])
    added = added + 1
  end
end
return added
"""


async def enqueue_many(
    queue: ArqRedis, function: str, jobs: Sequence[tuple[str, tuple[Any, ...]]], queue_name: str | None = None
) -> int:
    """Enqueue jobs of one function, each (job id, args), due now, in one round trip; how many
    were new. The same jobs as arq's enqueue_job makes (tests/unit/test_queue.py runs them
    with arq's own worker). `queue_name`: another queue than the pool's default."""
    if not jobs:
        return 0
    now = timestamp_ms()
    keys: list[str] = [queue_name or queue.default_queue_name]
    argv: list[Any] = [queue.expires_extra_ms]
    for job_id, args in jobs:
        keys += [job_key_prefix + job_id, result_key_prefix + job_id]
        argv += [job_id, now, serialize_job(function, args, {}, None, now, serializer=queue.job_serializer)]
    script = queue.register_script(_ENQUEUE_MANY)  # EVALSHA, loading the script if Redis lacks it
    return int(await script(keys=keys, args=argv))


async def enqueue_processing(
    queue: ArqRedis,
    messages: Sequence[tuple[int, int]],
    patience: float = PATIENCE,
    urgent: Sequence[int] = (),
    urgent_queue: str | None = None,
    meaning: Sequence[int] = (),
) -> bool:
    """Ask the workers to handle the conversations of these (conversation id, message id)
    pairs, in one round trip; first, the `urgent` message ids (the safety screen matched them)
    go to the urgent lane's queue, and the `meaning` ids (the others) to its semantic screen.
    While Redis cannot be reached, try again for up to `patience` seconds: a Redis restart
    takes it away for about 0.2 s, and without this the messages of that moment waited for
    the recovery sweep (11 and 29 s after the load in two fault runs). False if Redis still
    failed: the messages are stored, so the sweep will find them (and the turn screens them
    again)."""
    deadline = time.monotonic() + patience
    pause = 0.05
    while True:
        try:
            if urgent and urgent_queue:
                await enqueue_many(queue, URGENT_REPLY, [(f"urgent:{m}", (m,)) for m in urgent], urgent_queue)
            if meaning and urgent_queue:
                await enqueue_many(
                    queue, SCREEN_MEANING, [(f"meaning:{m}", (m,)) for m in meaning], urgent_queue
                )
            await enqueue_many(queue, PROCESS_CONVERSATION, [(f"in:{m}", (c,)) for c, m in messages])
            return True
        except (RedisConnectionError, OSError) as exc:
            failure: Exception = exc
            if time.monotonic() + pause <= deadline:
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.2)
                continue
        except Exception as exc:  # noqa: BLE001 - any Redis failure; the stored messages are the truth
            failure = exc
        log.warning(
            "could not enqueue %d messages (%s: %s); the recovery sweep will pick them up",
            len(messages),
            type(failure).__name__,
            failure,
        )
        return False
