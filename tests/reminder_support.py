"""Helpers for reminder tests: book through the API, and make a reminder due now.

Making a reminder due is the tests' controllable clock: its due time is set to now and its
arq job replaced by one that runs at once; the worker then does exactly what it would do
at the real due time. The worker's clock can also be shifted into the daytime, so a test at
03:00 is not held back by quiet hours (test environment only; see api/worker/deps.py).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from arq import create_pool
from arq.constants import job_key_prefix

from api.queue import redis_settings
from api.reminders.send import SEND_REMINDER, job_id
from api.reminders.timing import LONDON
from api.worker.deps import TEST_CLOCK_KEY
from scripts.stack import Stack
from tests.conftest import PRACTITIONER_TOKEN
from tests.support import Database, Gateway

AUTH = {"Authorization": f"Bearer {PRACTITIONER_TOKEN}"}


def appointments(gateway: Gateway, method: str, path: str = "", **kwargs: Any) -> httpx.Response:
    return gateway.client.request(
        method, gateway.base_url + "/api/appointments" + path, headers=AUTH, **kwargs
    )


def book(gateway: Gateway, phone: str, days: int = 5, kind: str = "gp", **extra: Any) -> dict[str, Any]:
    day = (datetime.now(LONDON) + timedelta(days=days)).date()
    body = {
        "phone": phone,
        "starts_at": f"{day.isoformat()}T14:30:00",
        "kind": kind,
        "place": "Green Street Surgery",
        "with_whom": "Sam",
        "by": "Amina",
        **extra,
    }
    response = appointments(gateway, "POST", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _run(stack: Stack, coroutine_factory: Any) -> Any:
    async def go() -> Any:
        pool = await create_pool(
            redis_settings(stack.env["REDIS_URL"]), default_queue_name=stack.env["QUEUE_NAME"]
        )
        try:
            return await coroutine_factory(pool)
        finally:
            await pool.aclose()

    return asyncio.run(go())


def daytime(stack: Stack) -> None:
    """Shift the worker's clock for scheduled work to 12:00 London today, if it is not daytime."""
    now = datetime.now(LONDON)
    shift = 0.0 if 10 <= now.hour < 19 else (now.replace(hour=12, minute=0) - now).total_seconds()
    _run(stack, lambda pool: pool.set(TEST_CLOCK_KEY, str(shift)))


def make_due(stack: Stack, db: Database, reminder_id: int, runs: int = 1) -> None:
    """Due now: the deferred job is replaced by `runs` immediate ones (runs > 1: duplicates)."""
    db.execute(
        "UPDATE reminders SET due_at = :t WHERE id = :i",
        t=datetime.now(UTC) - timedelta(seconds=1),
        i=reminder_id,
    )

    async def requeue(pool: Any) -> None:
        name = job_id(reminder_id)
        await pool.zrem(stack.env["QUEUE_NAME"], name)
        await pool.delete(job_key_prefix + name)
        await asyncio.gather(
            pool.enqueue_job(SEND_REMINDER, reminder_id, _job_id=name),
            *(pool.enqueue_job(SEND_REMINDER, reminder_id) for _ in range(runs - 1)),
        )

    _run(stack, requeue)


def reminder_rows(db: Database, **where: Any) -> list[dict[str, Any]]:
    clause = " AND ".join(f"{k} = :{k}" for k in where)
    return db.rows(f"SELECT * FROM reminders WHERE {clause} ORDER BY due_at, id", **where)
