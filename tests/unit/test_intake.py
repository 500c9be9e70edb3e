"""The gateway's intake: batches under a burst, each message stored once and queued once,
none lost. Against a real SQLite file through the project's engine and a real Redis server."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from arq.connections import ArqRedis
from sqlalchemy import event, text

from api.db.models import Base
from api.db.session import make_engine
from api.gateway.intake import Intake
from api.gateway.parsing import InboundMessage, parse_inbound
from api.gateway.store import Stored
from api.queue import make_pool
from scripts.stack import free_port


def _message(sid: str, phone: str = "+447911123456", body: str = "hello") -> InboundMessage:
    return parse_inbound({"MessageSid": sid, "From": phone, "To": "+447700900000", "Body": body})


Scenario = Callable[[Intake, Any, list[int]], Awaitable[None]]


def _run(tmp_path: Path, redis_url: str, scenario: Scenario) -> list[str]:
    """Run `scenario(intake, engine, commits)` on a fresh database and queue; `commits` counts
    transactions. The ids of the jobs queued, in queue order."""

    async def run() -> list[str]:
        engine = make_engine(f"sqlite:///{tmp_path / 'intake.db'}")
        async with engine.connect() as conn:
            await conn.run_sync(Base.metadata.create_all)
            await conn.commit()
        commits: list[int] = []
        event.listen(engine.sync_engine, "commit", lambda _conn: commits.append(1))
        queue = await make_pool(redis_url, "intake")
        await queue.flushdb()  # arq's job ids are the server's, not the queue's
        try:
            await scenario(Intake(engine, queue), engine, commits)
            return [job.decode() for job in await queue.zrange(queue.default_queue_name, 0, -1)]
        finally:
            await queue.aclose()
            await engine.dispose()

    return asyncio.run(run())


async def _rows(engine: Any, sql: str) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql))).all())


def test_a_burst_is_stored_in_fewer_transactions_than_messages(tmp_path: Path, redis_server: str) -> None:
    async def scenario(intake: Intake, engine: Any, commits: list[int]) -> None:
        phones = [f"+4479111{i:05d}" for i in range(40)]
        burst = (intake.take(_message(f"SM{i:032d}", phone)) for i, phone in enumerate(phones))
        results = await asyncio.gather(*burst)
        assert len(commits) < 40 // 2, "a burst of 40 took one transaction each"
        stored = dict(await _rows(engine, "select id, provider_sid from messages"))
        assert len(stored) == 40
        for i, result in enumerate(results):
            assert not result.duplicate
            assert stored[result.message_id] == f"SM{i:032d}"
        assert len(await _rows(engine, "select id from conversations")) == 40
        ids.extend(f"in:{r.message_id}" for r in results)

    ids: list[str] = []
    assert sorted(_run(tmp_path, redis_server, scenario)) == sorted(ids)


def test_one_message_at_a_time_is_stored_at_once(tmp_path: Path, redis_server: str) -> None:
    async def scenario(intake: Intake, engine: Any, commits: list[int]) -> None:
        first = await intake.take(_message("SM1"))
        assert len(commits) == 1
        second = await intake.take(_message("SM2"))
        assert len(commits) == 2
        assert first.conversation_id == second.conversation_id  # the same resident
        assert first.message_id != second.message_id

    _run(tmp_path, redis_server, scenario)


def test_a_retried_delivery_is_a_duplicate_in_a_batch_or_later(tmp_path: Path, redis_server: str) -> None:
    async def scenario(intake: Intake, engine: Any, commits: list[int]) -> None:
        first, again = await asyncio.gather(intake.take(_message("SMsame")), intake.take(_message("SMsame")))
        assert first == Stored(first.message_id, first.conversation_id, duplicate=False)
        assert again == Stored(first.message_id, first.conversation_id, duplicate=True)
        later = await intake.take(_message("SMsame"))
        assert later == again
        assert len(await _rows(engine, "select id from messages")) == 1
        ids.append(f"in:{first.message_id}")

    ids: list[str] = []
    assert _run(tmp_path, redis_server, scenario) == ids  # queued once


def test_a_message_the_database_refuses_does_not_lose_the_others(tmp_path: Path, redis_server: str) -> None:
    async def scenario(intake: Intake, engine: Any, commits: list[int]) -> None:
        async with engine.connect() as conn:
            await conn.execute(
                text(
                    "create trigger refuse before insert on messages when new.body = 'poison' "
                    "begin select raise(abort, 'refused'); end"
                )
            )
            await conn.commit()
        bodies = ["one", "two", "poison", "four", "five"]
        results = await asyncio.gather(
            *(intake.take(_message(f"SM{b}", f"+44791112345{i}", b)) for i, b in enumerate(bodies)),
            return_exceptions=True,
        )
        assert isinstance(results[2], Exception) and "refused" in str(results[2])
        assert all(isinstance(r, Stored) for i, r in enumerate(results) if i != 2)
        stored = sorted(body for (body,) in await _rows(engine, "select body from messages"))
        assert stored == sorted(b for b in bodies if b != "poison")
        # The intake still works afterwards.
        assert not (await intake.take(_message("SMafter"))).duplicate
        ids.extend(f"in:{r.message_id}" for r in results if isinstance(r, Stored))

    ids: list[str] = []
    queued = _run(tmp_path, redis_server, scenario)
    assert len(queued) == 5 and set(queued) == set(ids) | set(queued[-1:])


def test_a_caller_that_goes_away_still_has_its_message_stored(tmp_path: Path, redis_server: str) -> None:
    async def scenario(intake: Intake, engine: Any, commits: list[int]) -> None:
        caller = asyncio.create_task(intake.take(_message("SMgone")))
        await asyncio.sleep(0)  # the message is handed over, the writer not yet run
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        for _ in range(100):
            if await _rows(engine, "select id from messages where provider_sid = 'SMgone'"):
                break
            await asyncio.sleep(0.01)
        assert len(await _rows(engine, "select id from messages where provider_sid = 'SMgone'")) == 1

    _run(tmp_path, redis_server, scenario)


def test_a_message_no_reply_can_reach_is_stored_but_not_queued(tmp_path: Path, redis_server: str) -> None:
    async def scenario(intake: Intake, engine: Any, commits: list[int]) -> None:
        stored = await intake.take(_message("SMnowhere", phone="not a number"))
        assert not stored.duplicate
        rows = await _rows(engine, "select status from messages")
        assert [status for (status,) in rows] == ["unroutable"]

    assert _run(tmp_path, redis_server, scenario) == []


def test_with_redis_down_the_message_is_still_stored_and_acknowledged(tmp_path: Path) -> None:
    async def run() -> None:
        engine = make_engine(f"sqlite:///{tmp_path / 'intake.db'}")
        async with engine.connect() as conn:
            await conn.run_sync(Base.metadata.create_all)
            await conn.commit()
        nowhere = ArqRedis(host="127.0.0.1", port=free_port(), socket_connect_timeout=1)
        try:
            stored = await Intake(engine, nowhere).take(_message("SMnoredis"))
            assert not stored.duplicate
            assert await _rows(engine, "select status from messages") == [("received",)]
        finally:
            await nowhere.aclose()
            await engine.dispose()

    asyncio.run(run())
