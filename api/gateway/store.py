"""Storing what arrives, before it is acknowledged.

Safe with several gateway processes: unique keys in the database decide, not process memory.
Three upserts a message, built once, and one commit a batch, because this runs on every
webhook while Twilio waits.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from api.db.models import Author, Contact, Conversation, Direction, InboundStatus, Message, new_uid, utcnow
from api.gateway.parsing import InboundMessage


@dataclass(frozen=True)
class Stored:
    message_id: int
    conversation_id: int
    duplicate: bool


@cache
def _statements(dialect: str) -> tuple[Any, Any, Any]:
    """The three upserts for the database in use (SQLite or PostgreSQL), built once: Core, not
    ORM-enabled, DML with bound values, about a third of the cost per statement of building
    each one on every webhook (measured in-process)."""
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    new_contact = insert(Contact.__table__).values(
        uid=bindparam("uid"),
        phone=bindparam("phone"),
        phone_valid=bindparam("phone_valid"),
        created_at=bindparam("now"),
    )
    contact = new_contact.on_conflict_do_update(
        index_elements=["phone"], set_={"phone": new_contact.excluded.phone}
    ).returning(Contact.__table__.c.id)
    new_conversation = insert(Conversation.__table__).values(
        contact_id=bindparam("contact_id"),
        channel=bindparam("channel"),
        owner="bot",
        last_inbound_at=bindparam("now"),
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    conversation = new_conversation.on_conflict_do_update(
        index_elements=["contact_id"],
        # The channel of the latest message is where replies go.
        set_={
            "channel": new_conversation.excluded.channel,
            "last_inbound_at": new_conversation.excluded.last_inbound_at,
            "updated_at": new_conversation.excluded.updated_at,
        },
    ).returning(Conversation.__table__.c.id)
    message = (
        insert(Message.__table__)
        .values(
            conversation_id=bindparam("conversation_id"),
            direction=Direction.IN.value,
            channel=bindparam("channel"),
            author=Author.RESIDENT.value,
            body=bindparam("body"),
            media=bindparam("media"),
            provider_sid=bindparam("sid"),
            status=bindparam("status"),
            status_rank=0,
            attempts=0,
            created_at=bindparam("now"),
            updated_at=bindparam("now"),
        )
        .on_conflict_do_nothing(index_elements=["provider_sid"])
        .returning(Message.__table__.c.id)
    )
    return contact, conversation, message


class InboundStore:
    """Stores inbound messages in batches: one transaction for all that arrived meanwhile.

    Each webhook waits for the commit that holds its message, then is acknowledged, so nothing
    is acknowledged before it is stored. A message arriving while a batch is being written
    joins the next one: one writer per gateway process, not one per request. Under a burst that
    means one turn at the database's write lock for many messages instead of one each (with
    SQLite, one lock for the whole database, shared with the workers). When quiet, a batch is
    the one message and nothing waits. If a batch fails, its messages are tried one by one, so
    one bad message cannot lose the others.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._pending: list[tuple[InboundMessage, asyncio.Future[Stored]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def store(self, inbound: InboundMessage) -> Stored:
        """Store an inbound message once. A second delivery of the same MessageSid is a duplicate."""
        done: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._pending.append((inbound, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all())
        # Shielded: a webhook whose caller goes away still has its message stored.
        return await asyncio.shield(done)

    async def _write_all(self) -> None:
        batch: list[tuple[InboundMessage, asyncio.Future[Stored]]] = []
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    results = await self._write(batch)
                except Exception:  # noqa: BLE001 - each message is tried again on its own
                    for item in batch:
                        await self._write_one_of(item)
                else:
                    for (_, done), stored in zip(batch, results, strict=True):
                        _settle(done, stored)
        finally:
            self._writer = None
            # Only if this task itself was stopped (shutdown): no webhook is left waiting.
            for _, done in [*batch, *self._pending]:
                if not done.done():
                    done.set_exception(RuntimeError("the gateway stopped before the message was stored"))

    async def _write_one_of(self, item: tuple[InboundMessage, asyncio.Future[Stored]]) -> None:
        done = item[1]
        try:
            (stored,) = await self._write([item])
        except Exception as exc:  # noqa: BLE001 - handed to the webhook that waits for it
            if not done.done():
                done.set_exception(exc)
        else:
            _settle(done, stored)

    async def _write(self, batch: list[tuple[InboundMessage, asyncio.Future[Stored]]]) -> list[Stored]:
        async with self._engine.connect() as conn:
            contact, conversation, message = _statements(conn.dialect.name)
            ids: list[tuple[int | None, int]] = []
            for inbound, _ in batch:
                now = utcnow()
                channel = inbound.address.channel.value
                contact_id = await conn.scalar(
                    contact,
                    {
                        "uid": new_uid(),
                        "phone": inbound.address.phone,
                        "phone_valid": inbound.address.valid,
                        "now": now,
                    },
                )
                conversation_id = await conn.scalar(
                    conversation, {"contact_id": contact_id, "channel": channel, "now": now}
                )
                status = InboundStatus.RECEIVED if inbound.address.valid else InboundStatus.UNROUTABLE
                message_id = await conn.scalar(
                    message,
                    {
                        "conversation_id": conversation_id,
                        "channel": channel,
                        "body": inbound.body,
                        "media": inbound.media,
                        "sid": inbound.sid,
                        "status": status.value,
                        "now": now,
                    },
                )
                assert conversation_id is not None
                ids.append((message_id, conversation_id))
            await conn.commit()
            results = []
            for (inbound, _), (message_id, conversation_id) in zip(batch, ids, strict=True):
                if message_id is None:  # this MessageSid was stored before: a retried delivery
                    earlier = (await conn.execute(_earlier(), {"sid": inbound.sid})).one()
                    results.append(Stored(earlier.id, earlier.conversation_id, duplicate=True))
                else:
                    results.append(Stored(message_id, conversation_id, duplicate=False))
            return results


def _settle(done: asyncio.Future[Stored], stored: Stored) -> None:
    if not done.done():
        done.set_result(stored)


@cache
def _earlier() -> Any:
    table = Message.__table__
    return select(table.c.id, table.c.conversation_id).where(table.c.provider_sid == bindparam("sid"))
