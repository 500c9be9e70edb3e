"""The SQLite driver (api/db/sqlite_driver.py): the same answers as aiosqlite, run where they
are asked for (no thread, no trip through the event loop), and a wait for the write lock that
lets other tasks run and ends as soon as the lock is free, not on SQLite's 100 ms steps."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from api.db import sqlite_driver
from api.db.session import make_engine


def _holder(path: Path, seconds: float, started: threading.Event) -> None:
    """Another process's long write: holds the write lock for `seconds`."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO t (v) VALUES ('holder')")
    started.set()
    time.sleep(seconds)
    connection.execute("COMMIT")
    connection.close()


def _table(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")


def test_statements_fetches_returning_and_executemany(tmp_path: Path) -> None:
    async def run() -> tuple[list[tuple[int, str]], int | None, list[str]]:
        engine = make_engine(f"sqlite:///{tmp_path}/a.db")
        try:
            async with engine.begin() as conn:
                await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
                await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "a"}, {"v": "b"}])
                returned = (await conn.execute(text("INSERT INTO t (v) VALUES ('c') RETURNING id"))).scalar()
            async with engine.connect() as conn:
                rows = [tuple(r) for r in (await conn.execute(text("SELECT id, v FROM t ORDER BY id"))).all()]
                streamed = [r.v async for r in await conn.stream(text("SELECT v FROM t ORDER BY id"))]
                mode = (await conn.execute(text("PRAGMA busy_timeout"))).scalar()
                assert mode == 0  # the driver waits, not SQLite's handler
            return rows, returned, streamed
        finally:
            await engine.dispose()

    rows, returned, streamed = asyncio.run(run())
    assert rows == [(1, "a"), (2, "b"), (3, "c")]
    assert returned == 3
    assert streamed == ["a", "b", "c"]


async def _while_ticking(waiting: Coroutine[Any, Any, object]) -> int:
    """Await `waiting` while another task counts its turns on the event loop."""
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.001)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    before = ticks
    await waiting
    ticker.cancel()
    return ticks - before


def test_a_transaction_runs_without_giving_way_and_without_threads(tmp_path: Path) -> None:
    # The point of the driver: a write and its commit do not wait for the event loop, so the
    # write lock is held only for the transaction's own work; and no thread per connection.
    async def run() -> tuple[int, int, int]:
        engine = make_engine(f"sqlite:///{tmp_path}/e.db")
        threads = threading.active_count()
        try:
            async with engine.begin() as conn:
                await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
            others = [engine.connect() for _ in range(3)]
            for other in others:
                await other.start()

            async def transaction(conn: AsyncConnection) -> None:
                for n in range(20):
                    await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": str(n)})
                await conn.commit()

            # (An `async with ... begin()` block commits on exit in a task of its own, which
            # does give way: the product commits explicitly.)
            writer = await engine.connect().start()
            ticks = await _while_ticking(transaction(writer))
            await writer.close()
            async with engine.connect() as conn:
                count = (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one()
            more_threads = threading.active_count() - threads
            for other in others:
                await other.close()
            return ticks, count, more_threads
        finally:
            await engine.dispose()

    ticks, count, more_threads = asyncio.run(run())
    assert count == 20
    assert ticks == 0  # 20 inserts and a commit, and no other task ran in between
    assert more_threads == 0


def test_a_locked_database_is_waited_for_and_the_write_lands(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    _table(path)
    started = threading.Event()
    holder = threading.Thread(target=_holder, args=(path, 0.3, started))
    holder.start()
    started.wait(5)
    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):  # without waiting: locked
        connection.execute("INSERT INTO t (v) VALUES ('plain')")
    began = time.monotonic()
    ticks = asyncio.run(
        _while_ticking(sqlite_driver.patiently(connection.execute, "INSERT INTO t (v) VALUES ('patient')"))
    )
    waited = time.monotonic() - began
    holder.join()
    assert [v for (v,) in connection.execute("SELECT v FROM t ORDER BY id")] == ["holder", "patient"]
    assert waited > 0.1  # it did wait for the holder
    assert ticks > 10  # and the event loop ran other tasks meanwhile


def test_the_wait_has_a_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.db"
    _table(path)
    monkeypatch.setattr(sqlite_driver, "BUSY_TIMEOUT", 0.2)
    started = threading.Event()
    holder = threading.Thread(target=_holder, args=(path, 1.0, started))
    holder.start()
    started.wait(5)
    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as raised:
        asyncio.run(sqlite_driver.patiently(connection.execute, "INSERT INTO t (v) VALUES ('late')"))
    holder.join()
    assert raised.value.sqlite_errorcode == sqlite3.SQLITE_BUSY


def test_a_stale_snapshot_is_not_retried(tmp_path: Path) -> None:
    # A transaction that read before another wrote can never write: raised at once.
    path = tmp_path / "d.db"
    _table(path)
    reader = sqlite3.connect(path, timeout=0, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchall()
    with sqlite3.connect(path) as other:
        other.execute("INSERT INTO t (v) VALUES ('other')")
    began = time.monotonic()
    with pytest.raises(sqlite3.OperationalError) as raised:
        asyncio.run(sqlite_driver.patiently(reader.execute, "INSERT INTO t (v) VALUES ('stale')"))
    assert raised.value.sqlite_errorcode != sqlite3.SQLITE_BUSY  # SQLITE_BUSY_SNAPSHOT
    assert time.monotonic() - began < sqlite_driver.BUSY_TIMEOUT


def test_writers_of_one_process_take_turns_and_only_one_polls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While another process holds the write lock, twenty writers here wait in line: one tries
    SQLite at a time (the rest wait for the turn, costing nothing), and all write afterwards."""
    path = tmp_path / "turns.db"
    _table(path)
    trying, most = 0, 0
    real = sqlite_driver.patiently

    async def counted(call: Any, *args: Any) -> Any:
        nonlocal trying, most
        if not (args and str(args[0]).startswith("INSERT")):
            return await real(call, *args)  # setting up a connection, or a commit
        trying += 1
        most = max(most, trying)
        try:
            return await real(call, *args)
        finally:
            trying -= 1

    monkeypatch.setattr(sqlite_driver, "patiently", counted)

    async def writer(engine: Any, i: int) -> None:
        async with engine.connect() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": f"w{i}"})
            await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": f"w{i}b"})
            await conn.commit()

    async def run() -> int:
        engine = make_engine(f"sqlite:///{path}")
        started = threading.Event()
        holder = threading.Thread(target=_holder, args=(path, 0.2, started))
        holder.start()
        started.wait()
        try:
            await asyncio.gather(*(writer(engine, i) for i in range(20)))
            async with engine.connect() as conn:
                return int((await conn.execute(text("SELECT count(*) FROM t"))).scalar_one())
        finally:
            holder.join()
            await engine.dispose()

    assert asyncio.run(run()) == 41  # the holder's row and two from each writer
    assert most == 1


def test_a_turn_is_given_back_after_a_failed_or_rolled_back_write(tmp_path: Path) -> None:
    path = tmp_path / "back.db"
    _table(path)

    async def run() -> list[str]:
        engine = make_engine(f"sqlite:///{path}")
        try:
            async with engine.connect() as conn:
                await conn.execute(text("INSERT INTO t (id, v) VALUES (1, 'kept')"))
                await conn.commit()
            async with engine.connect() as conn:  # fails inside its transaction, then rolls back
                with pytest.raises(Exception, match="UNIQUE"):
                    await conn.execute(text("INSERT INTO t (id, v) VALUES (1, 'twice')"))
                await conn.rollback()
            async with engine.connect() as conn:  # never commits: closed, so rolled back
                await conn.execute(text("INSERT INTO t (v) VALUES ('dropped')"))
            async with engine.connect() as conn:  # would wait 15 s if a turn had been kept
                await asyncio.wait_for(conn.execute(text("INSERT INTO t (v) VALUES ('next')")), 2)
                await conn.commit()
                return [v for (v,) in (await conn.execute(text("SELECT v FROM t ORDER BY id"))).all()]
        finally:
            await engine.dispose()

    assert asyncio.run(run()) == ["kept", "next"]
