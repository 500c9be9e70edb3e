"""api.queue.enqueue_many makes the jobs arq's enqueue_job makes: arq's own worker runs them,
and a job id already queued or done is left alone. Against a real Redis server."""

from __future__ import annotations

import asyncio
from typing import Any

from arq import Worker
from arq.constants import job_key_prefix
from arq.jobs import Job, JobStatus

from api.queue import enqueue_many, make_pool

ran: list[tuple[str, Any]] = []


async def note(ctx: dict[str, Any], value: Any) -> str:
    ran.append((ctx["job_id"], value))
    return f"noted {value}"


def test_jobs_enqueued_in_one_trip_are_run_by_arqs_worker(redis_server: str) -> None:
    async def run() -> None:
        queue = await make_pool(redis_server, "many")
        await queue.flushdb()
        try:
            assert await queue.enqueue_job("note", "by arq", _job_id="one") is not None
            added = await enqueue_many(queue, "note", [("one", ("again",)), ("two", (2,)), ("three", ("3",))])
            assert added == 2  # "one" was queued already
            assert await enqueue_many(queue, "note", []) == 0
            info = await Job("two", queue, _queue_name="many").info()
            assert info is not None and info.function == "note" and info.args == (2,)
            assert await queue.pttl(job_key_prefix + "two") > 0  # expires, as arq's do

            ran.clear()
            worker = Worker(functions=[note], redis_pool=queue, queue_name="many", burst=True, poll_delay=0)
            await worker.main()
            await worker.close()
            assert sorted(ran) == [("one", "by arq"), ("three", "3"), ("two", 2)]
            assert await Job("two", queue, _queue_name="many").status() == JobStatus.complete
            assert await Job("two", queue, _queue_name="many").result() == "noted 2"

            # Done and kept as a result: not queued a second time.
            assert await enqueue_many(queue, "note", [("two", (2,))]) == 0
            assert await queue.zcard("many") == 0
        finally:
            await queue.aclose()

    asyncio.run(run())
