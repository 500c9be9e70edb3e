"""Outbound delivery states (api/db/delivery_states.py) on a real SQLite database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.db import delivery_states as delivery
from api.db.models import (
    Base,
    Contact,
    Conversation,
    Delivery,
    Direction,
    Message,
    ProviderStatus,
)
from api.db.session import make_engine, make_sessionmaker
from api.worker.rows import first_unsent

Scenario = Callable[[AsyncEngine, int, int], Awaitable[None]]


def run(tmp_path: Path, scenario: Scenario, status: Delivery = Delivery.PENDING) -> None:
    """Run `scenario(engine, conversation_id, message_id)` with one outbound message in `status`."""

    async def go() -> None:
        engine = make_engine(f"sqlite:///{tmp_path}/d.db")
        try:
            async with engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
            async with make_sessionmaker(engine)() as session:
                contact = Contact(phone="+447911123456")
                session.add(contact)
                await session.flush()
                conversation = Conversation(contact_id=contact.id)
                session.add(conversation)
                await session.flush()
                message = Message(
                    conversation_id=conversation.id,
                    direction=Direction.OUT.value,
                    channel="sms",
                    author="bot",
                    body="hi",
                    status=status.value,
                )
                session.add(message)
                await session.commit()
                ids = conversation.id, message.id
            await scenario(engine, *ids)
        finally:
            await engine.dispose()

    asyncio.run(go())


async def row(engine: AsyncEngine, message_id: int) -> dict[str, Any]:
    async with engine.connect() as conn:
        found = (await conn.execute(select(Message.__table__).where(Message.id == message_id))).one()
        return dict(found._mapping)


async def report(
    engine: AsyncEngine, message_id: int, status: str, code: str | None = None, sid: str = "SM1"
) -> int | None:
    async with engine.begin() as conn:
        known = delivery.provider_status(status)
        assert known is not None
        return await delivery.provider_reported(conn, sid, message_id, known, code)


def test_twilios_sending_is_not_ours_and_never_sends_the_message_again(tmp_path: Path) -> None:
    async def scenario(engine: AsyncEngine, conversation_id: int, message_id: int) -> None:
        async with engine.begin() as conn:
            assert await delivery.start_hand_over(conn, message_id)
            assert await delivery.handed_over(conn, message_id, "SM1", "queued")
        assert await report(engine, message_id, "sending") == conversation_id
        stored = await row(engine, message_id)
        assert (stored["status"], stored["provider_status"]) == ("with_provider", "sending")
        # The old single column said "sending" here, and the worker took it up again.
        assert await first_unsent(engine, conversation_id) is None

    run(tmp_path, scenario)


def test_a_failure_is_final_and_keeps_its_error_code(tmp_path: Path) -> None:
    async def scenario(engine: AsyncEngine, conversation_id: int, message_id: int) -> None:
        async with engine.begin() as conn:
            await delivery.start_hand_over(conn, message_id)
            await delivery.handed_over(conn, message_id, "SM1", "queued")
        assert await report(engine, message_id, "undelivered", "30003") == conversation_id
        for late in ("read", "delivered", "sent", "failed"):
            assert await report(engine, message_id, late) is None
        stored = await row(engine, message_id)
        assert (stored["provider_status"], stored["error_code"]) == ("undelivered", "30003")
        assert stored["status"] == "with_provider"

    run(tmp_path, scenario)


def test_the_provider_status_only_moves_forward(tmp_path: Path) -> None:
    async def scenario(engine: AsyncEngine, conversation_id: int, message_id: int) -> None:
        async with engine.begin() as conn:
            await delivery.start_hand_over(conn, message_id)
        # A callback before the send's answer: found by our id, and it proves Twilio has it.
        assert await report(engine, message_id, "delivered") == conversation_id
        assert (await row(engine, message_id))["status"] == "with_provider"
        async with engine.begin() as conn:  # the send's answer comes last: the SID, nothing older
            assert await delivery.handed_over(conn, message_id, "SM1", "queued")
        assert await report(engine, message_id, "sent") is None
        assert await report(engine, message_id, "read") == conversation_id
        stored = await row(engine, message_id)
        assert (stored["provider_status"], stored["provider_sid"]) == ("read", "SM1")
        # A callback for another SID (an earlier send of the same row) is not this message's.
        assert await report(engine, message_id, "failed", "30008", sid="SM2") is None
        assert (await row(engine, message_id))["provider_status"] == "read"

    run(tmp_path, scenario)


def test_illegal_moves_change_nothing(tmp_path: Path) -> None:
    async def scenario(engine: AsyncEngine, conversation_id: int, message_id: int) -> None:
        async with engine.begin() as conn:
            assert not await delivery.not_taken(conn, message_id, "20500")  # pending: never handed over
            assert not await delivery.unsure(conn, message_id, "timeout")
            assert await delivery.give_up(conn, message_id, "opted-out")
            assert not await delivery.start_hand_over(conn, message_id)  # failed is final
            assert not await delivery.handed_over(conn, message_id, "SM1", "queued")
        assert await report(engine, message_id, "delivered") == conversation_id
        stored = await row(engine, message_id)
        assert (stored["status"], stored["error_code"]) == ("failed", "opted-out")
        assert stored["provider_status"] == "delivered" and stored["provider_sid"] is None
        assert await first_unsent(engine, conversation_id) is None

    run(tmp_path, scenario)


def test_a_message_cut_off_mid_hand_over_waits_to_be_looked_up(tmp_path: Path) -> None:
    async def scenario(engine: AsyncEngine, conversation_id: int, message_id: int) -> None:
        async with engine.begin() as conn:
            assert await delivery.start_hand_over(conn, message_id)
            assert await delivery.unsure(conn, message_id, "timeout")
        assert await first_unsent(engine, conversation_id) == message_id
        stored = await row(engine, message_id)
        assert (stored["status"], stored["attempts"], stored["error_code"]) == ("handing_over", 1, "timeout")
        async with engine.begin() as conn:
            assert await delivery.not_taken(conn, message_id, "20500")
        assert (await row(engine, message_id))["status"] == "pending"

    run(tmp_path, scenario, Delivery.PENDING)


def test_the_rules_in_words() -> None:
    assert delivery.provider_status(" SENT ") is ProviderStatus.SENT
    assert delivery.provider_status("receiving") is None and delivery.provider_status("x") is None
    order = ["accepted", "queued", "sending", "sent", "delivered", "read", "failed"]
    ranks = [delivery.PROVIDER_RANK[ProviderStatus(s)] for s in order]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert delivery.may_move("pending", Delivery.HANDING_OVER)
    assert not delivery.may_move("failed", Delivery.PENDING)
    assert not delivery.may_move("with_provider", Delivery.HANDING_OVER)
    shown = Message(status="with_provider", provider_status="canceled")
    assert shown.delivery_shown == "cancelled"
    assert Message(status="handing_over").delivery_shown == "sending"
