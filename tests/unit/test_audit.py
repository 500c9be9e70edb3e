"""The audit log is append-only for the application."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from api.db.models import AuditEvent, Base
from api.db.session import make_engine, make_sessionmaker


def test_audit_events_cannot_be_changed_or_deleted(tmp_path: Path) -> None:
    async def run() -> None:
        engine = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        sessions = make_sessionmaker(engine)
        async with sessions() as session:
            session.add(AuditEvent(actor="safety screen", action="safety_flag_raised"))
            await session.commit()
            event = await session.scalar(select(AuditEvent))
            assert event is not None
            event.note = "changed"
            with pytest.raises(PermissionError):
                await session.flush()
            await session.rollback()
            event = await session.scalar(select(AuditEvent))
            assert event is not None
            await session.delete(event)
            with pytest.raises(PermissionError):
                await session.flush()
        await engine.dispose()

    asyncio.run(run())
