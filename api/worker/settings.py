"""The arq worker's settings, built from our Settings when the worker starts."""

from __future__ import annotations

from typing import Any

from arq import cron, func

from api.config import Settings
from api.queue import (
    DELIVER_CONVERSATION,
    HOLD_SWEEP,
    KEEP_STORY,
    ONCALL_ALERT,
    PROCESS_CONVERSATION,
    PURGE,
    SCREEN_MEANING,
    URGENT_REPLY,
    redis_settings,
)
from api.reminders.send import SEND_REMINDER, send_reminder
from api.worker import deps as worker_deps
from api.worker.concern import screen_meaning
from api.worker.deliver import deliver_conversation
from api.worker.handoff import keep_story
from api.worker.oncall import oncall_alert
from api.worker.recovery import recover
from api.worker.retention import purge
from api.worker.turn import process_conversation
from api.worker.urgent import hold_sweep, urgent_reply

#: A turn waits for the bot as long as it is down (with backoff); retries are cheap.
MAX_TRIES = 100_000


def _lifecycle(settings: Settings) -> dict[str, Any]:
    async def startup(ctx: dict[str, Any]) -> None:
        ctx["deps"] = await worker_deps.build(settings, ctx["redis"])

    async def shutdown(ctx: dict[str, Any]) -> None:
        if "deps" in ctx:
            await worker_deps.close(ctx["deps"])

    return {"on_startup": startup, "on_shutdown": shutdown}


def urgent_settings(settings: Settings) -> dict[str, Any]:
    """The urgent lane (api/worker/urgent.py): its own queue and process, so nothing in the
    main queue, however long, holds up a safety reply, a holding reply or an on-call alert."""
    return {
        "functions": [
            func(urgent_reply, name=URGENT_REPLY, max_tries=MAX_TRIES),
            func(screen_meaning, name=SCREEN_MEANING, max_tries=MAX_TRIES),
            func(deliver_conversation, name=DELIVER_CONVERSATION, max_tries=MAX_TRIES),
            func(oncall_alert, name=ONCALL_ALERT, max_tries=20),
        ],
        # Every second; `unique`: one run at a time across all urgent workers.
        "cron_jobs": [cron(hold_sweep, name=HOLD_SWEEP, second=set(range(60)), unique=True, timeout=30)],
        **_lifecycle(settings),
        "redis_settings": redis_settings(settings.redis_url, patient=True),
        "queue_name": settings.urgent_queue_name,
        "health_check_interval": 5,
        "poll_delay": 0.02,
        "max_jobs": 20,
        "keep_result": 0,
        "job_timeout": settings.bot_timeout + 30,
        "handle_signals": True,
    }


def worker_settings(settings: Settings) -> dict[str, Any]:
    return {
        "functions": [
            func(process_conversation, name=PROCESS_CONVERSATION, max_tries=MAX_TRIES),
            func(deliver_conversation, name=DELIVER_CONVERSATION, max_tries=MAX_TRIES),
            func(purge, name=PURGE, max_tries=3),
            func(keep_story, name=KEEP_STORY, max_tries=10),
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
        **_lifecycle(settings),
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
