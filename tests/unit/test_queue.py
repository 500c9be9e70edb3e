"""api.queue.enqueue_many makes the jobs arq's enqueue_job makes: arq's own worker runs them,
and a job id already queued or done is left alone. Against a real Redis server."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from arq import Worker
from arq.constants import job_key_prefix
from arq.jobs import Job, JobStatus

from api.queue import enqueue_many, enqueue_processing, make_pool
from scripts.stack import free_port
from tests.unit.conftest import start_redis, stop_redis

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


@pytest.mark.parametrize(
    "back_after",
    [
        # Every pooled connection dies with Redis: the first enqueue after it is back must work.
        0.0,
        # The enqueue meets Redis away for 0.2 s: it waits, rather than leave the message to
        # the recovery sweep.
        0.2,
    ],
)
def test_the_gateways_enqueue_rides_out_a_redis_restart(tmp_path: Path, back_after: float) -> None:
    port = free_port()
    server = start_redis(port, tmp_path)

    def restart() -> None:
        nonlocal server
        time.sleep(back_after)
        server = start_redis(port, tmp_path)

    async def run() -> None:
        queue = await make_pool(f"redis://127.0.0.1:{port}/0", "restart")
        try:
            assert await enqueue_processing(queue, [(1, 1)])
            stop_redis(server)
            if back_after:
                back = asyncio.get_running_loop().run_in_executor(None, restart)
            else:
                restart()
            assert await enqueue_processing(queue, [(1, 2)])
            if back_after:
                await back
            assert await queue.zcard("restart") == 1  # the first job went with the old server
        finally:
            await queue.aclose()

    try:
        asyncio.run(run())
    finally:
        stop_redis(server)
