"""The gateway's inbound store: batches under a burst, each message stored once, none lost.

Against a real SQLite file through the project's engine (api.db.session.make_engine).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from api.db.models import Base
from api.db.session import make_engine
from api.gateway.parsing import InboundMessage, parse_inbound
from api.gateway.store import InboundStore, Stored


def _message(sid: str, phone: str = "+447700900001", body: str = "hello") -> InboundMessage:
    return parse_inbound({"MessageSid": sid, "From": phone, "To": "+447700900000", "Body": body})


def _run(tmp_path: Path, scenario: Callable[[InboundStore, Any, list[int]], Awaitable[None]]) -> None:
    """Run `scenario(store, engine, commits)` on a fresh database; `commits` counts transactions."""

    async def run() -> None:
        engine = make_engine(f"sqlite:///{tmp_path / 'intake.db'}")
        async with engine.connect() as conn:
            await conn.run_sync(Base.metadata.create_all)
            await conn.commit()
        commits: list[int] = []
        event.listen(engine.sync_engine, "commit", lambda _conn: commits.append(1))
        try:
            await scenario(InboundStore(engine), engine, commits)
        finally:
            await engine.dispose()

    asyncio.run(run())


async def _rows(engine: Any, sql: str) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql))).all())


def test_a_burst_is_stored_in_fewer_transactions_than_messages(tmp_path: Path) -> None:
    async def scenario(store: InboundStore, engine: Any, commits: list[int]) -> None:
        phones = [f"+4477009{i:05d}" for i in range(40)]
        burst = (store.store(_message(f"SM{i:032d}", phone)) for i, phone in enumerate(phones))
        results = await asyncio.gather(*burst)
        assert len(commits) < 40 // 2, "a burst of 40 took one transaction each"
        stored = dict(await _rows(engine, "select id, provider_sid from messages"))
        assert len(stored) == 40
        for i, result in enumerate(results):
            assert not result.duplicate
            assert stored[result.message_id] == f"SM{i:032d}"
        assert len(await _rows(engine, "select id from conversations")) == 40

    _run(tmp_path, scenario)


def test_one_message_at_a_time_is_stored_at_once(tmp_path: Path) -> None:
    async def scenario(store: InboundStore, engine: Any, commits: list[int]) -> None:
        first = await store.store(_message("SM1"))
        assert len(commits) == 1
        second = await store.store(_message("SM2"))
        assert len(commits) == 2
        assert first.conversation_id == second.conversation_id  # the same resident
        assert first.message_id != second.message_id

    _run(tmp_path, scenario)


def test_a_retried_delivery_is_a_duplicate_in_the_same_batch_or_later(tmp_path: Path) -> None:
    async def scenario(store: InboundStore, engine: Any, commits: list[int]) -> None:
        first, again = await asyncio.gather(store.store(_message("SMsame")), store.store(_message("SMsame")))
        assert first == Stored(first.message_id, first.conversation_id, duplicate=False)
        assert again == Stored(first.message_id, first.conversation_id, duplicate=True)
        later = await store.store(_message("SMsame"))
        assert later == again
        assert len(await _rows(engine, "select id from messages")) == 1

    _run(tmp_path, scenario)


def test_a_message_the_database_refuses_does_not_lose_the_others(tmp_path: Path) -> None:
    async def scenario(store: InboundStore, engine: Any, commits: list[int]) -> None:
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
            *(store.store(_message(f"SM{b}", f"+44770090000{i}", b)) for i, b in enumerate(bodies)),
            return_exceptions=True,
        )
        assert isinstance(results[2], Exception) and "refused" in str(results[2])
        assert all(isinstance(r, Stored) for i, r in enumerate(results) if i != 2)
        stored = sorted(body for (body,) in await _rows(engine, "select body from messages"))
        assert stored == sorted(b for b in bodies if b != "poison")
        # The store still works afterwards.
        assert not (await store.store(_message("SMafter"))).duplicate

    _run(tmp_path, scenario)


def test_a_caller_that_goes_away_still_has_its_message_stored(tmp_path: Path) -> None:
    async def scenario(store: InboundStore, engine: Any, commits: list[int]) -> None:
        caller = asyncio.create_task(store.store(_message("SMgone")))
        await asyncio.sleep(0)  # the message is handed over, the writer not yet run
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        for _ in range(100):
            if await _rows(engine, "select id from messages where provider_sid = 'SMgone'"):
                break
            await asyncio.sleep(0.01)
        assert len(await _rows(engine, "select id from messages where provider_sid = 'SMgone'")) == 1

    _run(tmp_path, scenario)
