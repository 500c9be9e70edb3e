"""aiosqlite with one trip to its thread per statement instead of four, and a finer wait for
SQLite's write lock.

SQLAlchemy's aiosqlite dialect makes a cursor, runs the statement, fetches the rows and closes
the cursor, and aiosqlite sends each of those to the connection's own thread and back (a queue,
a thread switch, and a wake-up of the event loop through its self-pipe). Under load that was
a quarter of the worker's CPU (py-spy, bench/inbound.py). Here only the statement and its
fetch make the trip, together; making and closing a sqlite3 cursor do no I/O, so they run
where they are called. That is safe because SQLite is built serialized and SQLAlchemy uses one
connection from one task at a time (its adapter holds a per-connection lock around each
statement); hence check_same_thread=False.

Waiting for the write lock: SQLite's own busy handler (PRAGMA busy_timeout) sleeps between
tries in growing steps, 100 ms each after the first third of a second, so under load a lock
freed in a millisecond sat idle while every waiter slept: the gateway's insert waited 81 ms
(p50) and 1.25 s (p95) for it at 50 webhooks/s. Here busy_timeout is 0 and a statement that
finds the database locked is tried again after at most MAX_STEP, for up to BUSY_TIMEOUT in
all. Only plain SQLITE_BUSY is retried: nothing was done, so trying again is safe.
SQLITE_BUSY_SNAPSHOT (the transaction read data another has since changed) is raised as
before, as SQLite's handler would.

Everything else is aiosqlite's own code. Used for SQLite files (api.db.session.make_engine);
the whole test suite runs through it.
"""

from __future__ import annotations

import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, TypeVar

import aiosqlite
from aiosqlite.context import contextmanager

T = TypeVar("T")
#: How long a statement may wait for another connection's write (seconds), as busy_timeout did.
BUSY_TIMEOUT = 15.0
FIRST_STEP, MAX_STEP = 0.0005, 0.004


def patiently(call: Callable[..., T], *args: Any) -> T:
    """Run `call` on the connection's thread, trying again while the database is locked."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    step = FIRST_STEP
    while True:
        try:
            return call(*args)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
        time.sleep(step)
        step = min(step * 2, MAX_STEP)


class _Cursor(aiosqlite.Cursor):
    """Runs a statement and fetches its rows in one call on the connection's thread."""

    def __init__(self, conn: aiosqlite.Connection, cursor: sqlite3.Cursor) -> None:
        super().__init__(conn, cursor)
        self._rows: deque[Any] = deque()

    def _run(self, sql: str, parameters: Any) -> list[Any]:
        patiently(self._cursor.execute, sql, parameters)
        return self._cursor.fetchall() if self._cursor.description else []

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> _Cursor:
        rows: list[Any] = await self._execute(  # type: ignore[no-untyped-call]
            self._run, sql, [] if parameters is None else parameters
        )
        self._rows = deque(rows)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> _Cursor:
        await self._execute(patiently, self._cursor.executemany, sql, parameters)  # type: ignore[no-untyped-call]
        self._rows = deque()
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = self.arraysize if size is None else size
        return [self._rows.popleft() for _ in range(min(count, len(self._rows)))]

    async def fetchall(self) -> list[Any]:
        rows, self._rows = list(self._rows), deque()
        return rows

    async def close(self) -> None:
        self._cursor.close()


class _Connection(aiosqlite.Connection):
    @contextmanager
    async def cursor(self) -> aiosqlite.Cursor:
        return _Cursor(self, self._conn.cursor())

    async def commit(self) -> None:
        await self._execute(patiently, self._conn.commit)  # type: ignore[no-untyped-call]


def connect(database: str, **kwargs: Any) -> aiosqlite.Connection:
    """For SQLAlchemy's `async_creator_fn` connect argument (the aiosqlite dialect)."""
    kwargs["check_same_thread"] = False
    kwargs["timeout"] = 0  # busy_timeout 0: `patiently` waits instead
    connection = _Connection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size=64)
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own connections
    return connection
