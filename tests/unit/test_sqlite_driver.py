"""The SQLite driver (api/db/sqlite_driver.py): the same answers as aiosqlite, and a wait for
the write lock that ends as soon as the lock is free, not on SQLite's 100 ms steps."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

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
    sqlite_driver.patiently(connection.execute, "INSERT INTO t (v) VALUES ('patient')")
    waited = time.monotonic() - began
    holder.join()
    assert [v for (v,) in connection.execute("SELECT v FROM t ORDER BY id")] == ["holder", "patient"]
    assert waited > 0.1  # it did wait for the holder


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
        sqlite_driver.patiently(connection.execute, "INSERT INTO t (v) VALUES ('late')")
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
        sqlite_driver.patiently(reader.execute, "INSERT INTO t (v) VALUES ('stale')")
    assert raised.value.sqlite_errorcode != sqlite3.SQLITE_BUSY  # SQLITE_BUSY_SNAPSHOT
    assert time.monotonic() - began < sqlite_driver.BUSY_TIMEOUT
