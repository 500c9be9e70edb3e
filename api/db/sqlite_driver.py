"""aiosqlite with one trip to its thread per statement instead of four.

SQLAlchemy's aiosqlite dialect makes a cursor, runs the statement, fetches the rows and closes
the cursor, and aiosqlite sends each of those to the connection's own thread and back (a queue,
a thread switch, and a wake-up of the event loop through its self-pipe). Under load that was
a quarter of the worker's CPU (py-spy, bench/inbound.py). Here only the statement and its
fetch make the trip, together; making and closing a sqlite3 cursor do no I/O, so they run
where they are called. That is safe because SQLite is built serialized and SQLAlchemy uses one
connection from one task at a time (its adapter holds a per-connection lock around each
statement); hence check_same_thread=False.

Everything else is aiosqlite's own code. Used for SQLite files (api.db.session.make_engine);
the whole test suite runs through it.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterable
from functools import partial
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager


class _Cursor(aiosqlite.Cursor):
    """Runs a statement and fetches its rows in one call on the connection's thread."""

    def __init__(self, conn: aiosqlite.Connection, cursor: sqlite3.Cursor) -> None:
        super().__init__(conn, cursor)
        self._rows: deque[Any] = deque()

    def _run(self, sql: str, parameters: Any) -> list[Any]:
        self._cursor.execute(sql, parameters)
        return self._cursor.fetchall() if self._cursor.description else []

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> _Cursor:
        rows: list[Any] = await self._execute(  # type: ignore[no-untyped-call]
            self._run, sql, [] if parameters is None else parameters
        )
        self._rows = deque(rows)
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


def connect(database: str, **kwargs: Any) -> aiosqlite.Connection:
    """For SQLAlchemy's `async_creator_fn` connect argument (the aiosqlite dialect)."""
    kwargs["check_same_thread"] = False
    connection = _Connection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size=64)
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own connections
    return connection
