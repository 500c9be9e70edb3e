"""The arq worker's settings, built from our Settings when the worker starts."""

from __future__ import annotations

from typing import Any

from arq import cron, func

from api.config import Settings
from api.queue import DELIVER_CONVERSATION, PROCESS_CONVERSATION, PURGE, redis_settings
from api.reminders.send import SEND_REMINDER, send_reminder
from api.worker import deps as worker_deps
from api.worker.deliver import deliver_conversation
from api.worker.recovery import recover
from api.worker.retention import purge
from api.worker.turn import process_conversation

#: A turn waits for the bot as long as it is down (with backoff); retries are cheap.
MAX_TRIES = 100_000


def worker_settings(settings: Settings) -> dict[str, Any]:
    async def startup(ctx: dict[str, Any]) -> None:
        ctx["deps"] = await worker_deps.build(settings, ctx["redis"])

    async def shutdown(ctx: dict[str, Any]) -> None:
        if "deps" in ctx:
            await worker_deps.close(ctx["deps"])

    return {
        "functions": [
            func(process_conversation, name=PROCESS_CONVERSATION, max_tries=MAX_TRIES),
            func(deliver_conversation, name=DELIVER_CONVERSATION, max_tries=MAX_TRIES),
            func(purge, name=PURGE, max_tries=3),
            # Retried only to wait for the resident's safe time; the send itself is idempotent.
            func(send_reminder, name=SEND_REMINDER, max_tries=MAX_TRIES),
        ],
        "cron_jobs": [
            cron(recover, second=set(range(0, 60, 15)), run_at_startup=True, unique=True, timeout=60),
            # Daily at 03:10, a quiet hour.
            # A short timeout: arq keeps a killed worker's jobs "in progress" for the longest
            # timeout plus 10 s, so a long one would delay recovery. Purging resumes next day.
            cron(purge, hour={3}, minute={10}, unique=True, timeout=60),
        ],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": redis_settings(settings.redis_url, patient=True),
        "queue_name": settings.queue_name,
        "health_check_interval": 5,
        "poll_delay": 0.05,
        # Measured with bench/reminders.py (4,000 reminders, seconds after the last was due):
        # 20 jobs 19.3 s, 12 jobs 5.8 s, 8 jobs 12.5 s, 4 jobs 27.8 s. More concurrent jobs
        # mostly wait on each other's SQLite writes; fewer leave the CPU idle during sends.
        "max_jobs": 12,
        "keep_result": 0,
        "job_timeout": settings.bot_timeout + 30,
        "handle_signals": True,
    }
