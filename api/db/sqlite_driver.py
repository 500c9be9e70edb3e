"""SQLite for SQLAlchemy's aiosqlite dialect, run on the event loop's own thread, with a wait
for the write lock that gives way to other tasks.

aiosqlite runs every call (make a cursor, execute, fetch, close, commit) on a thread of its
own: a queue, a thread switch, and a wake-up of the event loop through its self-pipe, each
time. Two things came of that under load (bench/inbound.py, py-spy and a lock trace):

- the hops cost more CPU than the statements: SQLite answers from its page cache in
  microseconds;
- a write transaction held SQLite's one write lock across every hop back to a busy event
  loop, from its first write until its commit: 10 to 30 ms (p50) per transaction at 40
  messages a second, while the other processes (two gateway, two worker) waited for it.

So here each call runs at once, where it is made, and a statement that does not wait never
suspends: a whole flush and commit runs in one go, and holds the write lock only as long as
its own work. The one thing that waits is the write lock held by another connection:
busy_timeout is 0, so SQLite says SQLITE_BUSY at once instead of blocking the thread, and
`patiently` sleeps on the event loop (0.2 ms, doubling to 1 ms, for up to BUSY_TIMEOUT) and
tries again, while the loop runs other tasks. Only plain SQLITE_BUSY is retried: the
statement did nothing, so trying again is safe. SQLITE_BUSY_SNAPSHOT (the transaction read
data another has since changed) is raised at once, as SQLite's handler would.

The trade: a statement that is slow in itself (a big scan, a checkpoint's fsync) holds the
event loop while it runs. Our statements are small and indexed; a deployment whose database
outgrows that is one for PostgreSQL (asyncpg), which this project supports.

One more thing under load: SQLite has no queue for its write lock. At 200 webhooks a second
a gateway process had a hundred requests each polling for it (every try a failed statement),
which burnt the CPU the lock holder needed: lock waits of 25 ms (p50) to 900 ms, for holds of
about a millisecond. So the writers of one process (one event loop, one database file) take
their turn in an asyncio.Lock (first come, first served) before their first write, and give
it back at commit, rollback or close: only the head of each process's line polls SQLite.
Within a process this costs no concurrency, since SQLite lets one connection write at a time
anyway; readers do not take it (WAL).

aiosqlite's own code is kept; only its thread is not started: its queue is replaced by one
that runs each call as it is put (`_Inline`). Used for SQLite files
(api.db.session.make_engine); the whole test suite runs through it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import weakref
from collections import deque
from collections.abc import Callable, Generator, Iterable
from functools import partial
from typing import Any, TypeVar

import aiosqlite
from aiosqlite.context import contextmanager

T = TypeVar("T")
#: How long a statement may wait for another connection's write (seconds), as busy_timeout did.
BUSY_TIMEOUT = 15.0
FIRST_STEP, MAX_STEP = 0.0002, 0.001
#: How a statement that can start a write transaction begins (Python's sqlite3 opens the
#: transaction before these; SELECTs take no lock in WAL mode).
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")

#: Per event loop, per database file: the line of this process's writers.
_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _writer_lock(database: str) -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    locks = _writers.get(loop)
    if locks is None:
        locks = _writers[loop] = {}
    lock = locks.get(database)
    if lock is None:  # made once, not a new Lock and dict thrown away on every transaction
        lock = locks[database] = asyncio.Lock()
    return lock


def _starts_write(sql: str) -> bool:
    return sql.lstrip()[:6].upper() in WRITES


async def patiently(call: Callable[..., T], *args: Any) -> T:
    """`call(*args)` now; while another connection holds the write lock, again a little later."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    step = FIRST_STEP
    while True:
        try:
            return call(*args)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
        await asyncio.sleep(step)
        step = min(step * 2, MAX_STEP)


class _Inline:
    """Stands in for aiosqlite's queue to its thread: runs each call as it is put, and settles
    its future (we are on the event loop's thread, so that is allowed)."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # noqa: BLE001 - handed to whoever awaits it, as aiosqlite does
            if future is not None and not future.done():
                future.set_exception(exc)
            return
        if future is not None and not future.done():
            future.set_result(result)


class _Cursor(aiosqlite.Cursor):
    """Runs a statement and fetches its rows in one call."""

    def __init__(self, conn: aiosqlite.Connection, cursor: sqlite3.Cursor) -> None:
        super().__init__(conn, cursor)
        self._rows: deque[Any] = deque()

    def _run(self, sql: str, parameters: Any) -> list[Any]:
        self._cursor.execute(sql, parameters)
        return self._cursor.fetchall() if self._cursor.description else []

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> _Cursor:
        args = [] if parameters is None else parameters
        self._rows = deque(await self._conn.writing(sql, self._run, sql, args))  # type: ignore[attr-defined]
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> _Cursor:
        await self._conn.writing(sql, self._cursor.executemany, sql, list(parameters))  # type: ignore[attr-defined]
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
    def __init__(self, connector: Callable[[], sqlite3.Connection], database: str) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _Inline()  # type: ignore[assignment]
        self._database = database
        # An in-memory database is this connection's own: no one to take turns with.
        self._shared = database != ":memory:" and "mode=memory" not in database
        self._turn: asyncio.Lock | None = None  # held from the first write to its end

    async def writing(self, sql: str, call: Callable[..., T], *args: Any) -> T:
        """Run a statement; one that may start a write waits for this process's turn first."""
        if self._turn is None and self._shared and _starts_write(sql) and not self._conn.in_transaction:
            turn = _writer_lock(self._database)
            try:
                async with asyncio.timeout(BUSY_TIMEOUT):  # no task made: free when no one waits
                    await turn.acquire()
            except TimeoutError:
                raise sqlite3.OperationalError("database is locked (this process's writers)") from None
            self._turn = turn
        try:
            return await patiently(call, *args)
        finally:
            if self._turn is not None and not self._conn.in_transaction:
                self._give_back()  # failed, or wrote without a transaction (autocommit)

    def _give_back(self) -> None:
        turn, self._turn = self._turn, None
        if turn is not None:
            turn.release()

    async def commit(self) -> None:
        try:
            await super().commit()
        finally:
            if self._connection is None or not self._connection.in_transaction:
                self._give_back()

    async def rollback(self) -> None:
        try:
            await super().rollback()
        finally:
            self._give_back()

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            self._give_back()

    def stop(self) -> asyncio.Future[Any] | None:  # SQLAlchemy's terminate, when close fails
        try:
            return super().stop()
        finally:
            self._give_back()

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # no thread to start

    async def _execute(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return await patiently(partial(fn, *args, **kwargs))

    @contextmanager
    async def cursor(self) -> aiosqlite.Cursor:
        return _Cursor(self, self._conn.cursor())


def connect(database: str, **kwargs: Any) -> aiosqlite.Connection:
    """For SQLAlchemy's `async_creator_fn` connect argument (the aiosqlite dialect)."""
    kwargs["timeout"] = 0  # busy_timeout 0: `patiently` waits instead
    kwargs["check_same_thread"] = False  # SQLAlchemy may close a pooled connection elsewhere
    return _Connection(partial(sqlite3.connect, database, **kwargs), database)
