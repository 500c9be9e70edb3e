"""The gateway's intake: inbound messages stored and handed to the workers, in batches.

Each webhook waits until its message is committed and queued, then is acknowledged, so
nothing is acknowledged before it is stored. A message arriving while a batch is being
written joins the next one: one writer per gateway process, not one per request. Under a
burst that means one turn at the database's write lock (with SQLite, one lock for the whole
database, shared with the workers) and one trip to Redis for many messages instead of one
each. When quiet, a batch is the one message and nothing waits.

If a batch fails, its messages are tried one by one, so one bad message cannot lose the
others. If Redis fails, the messages are stored all the same and the workers' recovery sweep
finds them (api/worker/recovery.py).
"""

from __future__ import annotations

import asyncio

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine

from api.gateway.parsing import InboundMessage
from api.gateway.store import Stored, store_batch
from api.queue import enqueue_processing
from api.safety.phrases import screen

Waiting = tuple[InboundMessage, asyncio.Future[Stored]]


class Intake:
    def __init__(self, engine: AsyncEngine, queue: ArqRedis, urgent_queue: str | None = None) -> None:
        self._engine = engine
        self._queue = queue
        #: The urgent lane's queue: a message the safety screen matches is queued there too.
        self._urgent_queue = urgent_queue
        self._pending: list[Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def take(self, inbound: InboundMessage) -> Stored:
        """Store an inbound message once and queue it for the bot (unless it is a retried
        delivery, or from an address no reply can reach)."""
        done: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._pending.append((inbound, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all())
        # Shielded: a webhook whose caller goes away still has its message stored.
        return await asyncio.shield(done)

    async def _write_all(self) -> None:
        batch: list[Waiting] = []
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                results = await self._store(batch)
                stored = [(item, r) for item, r in zip(batch, results, strict=True) if isinstance(r, Stored)]
                new = [
                    (inbound, r) for (inbound, _), r in stored if not r.duplicate and inbound.address.valid
                ]
                urgent = [r.message_id for inbound, r in new if _is_urgent(inbound)]
                await enqueue_processing(
                    self._queue,
                    [(r.conversation_id, r.message_id) for _, r in new],
                    urgent=urgent,
                    urgent_queue=self._urgent_queue,
                    meaning=[
                        r.message_id
                        for inbound, r in new
                        if inbound.body.strip() and r.message_id not in urgent
                    ],
                )
                for (_, done), result in zip(batch, results, strict=True):
                    if done.done():
                        continue
                    if isinstance(result, Stored):
                        done.set_result(result)
                    else:
                        done.set_exception(result)
        finally:
            self._writer = None
            # Only if this task itself was stopped (shutdown): no webhook is left waiting.
            for _, done in [*batch, *self._pending]:
                if not done.done():
                    done.set_exception(RuntimeError("the gateway stopped before the message was stored"))

    async def _store(self, batch: list[Waiting]) -> list[Stored | Exception]:
        try:
            return list(await store_batch(self._engine, [inbound for inbound, _ in batch]))
        except Exception as exc:  # noqa: BLE001 - each message is tried again on its own
            if len(batch) == 1:
                return [exc]
        results: list[Stored | Exception] = []
        for inbound, _ in batch:
            try:
                results.extend(await store_batch(self._engine, [inbound]))
            except Exception as exc:  # noqa: BLE001 - handed to the webhook that waits for it
                results.append(exc)
        return results


def _is_urgent(inbound: InboundMessage) -> bool:
    """The safety screen, at intake (about 30 us a message): a crisis message goes to the
    urgent lane at once, whatever the bot's backlog."""
    return bool(inbound.body.strip()) and bool(screen(inbound.body))
