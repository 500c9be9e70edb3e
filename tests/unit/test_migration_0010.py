"""Migration 0010 moves each old outbound state to our state and the provider's, and back.

On SQLite here; MIGRATION_TEST_DATABASE_URL (an empty PostgreSQL database, for example
postgresql://user:pw@127.0.0.1/scratch) runs it there too. The database is migrated from
nothing, so never point it at one that matters.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config

from api.db.session import async_url
from scripts.stack import ROOT
from tests.support import Database

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

#: (old status, old status_rank, provider_sid) -> (status, provider_status) after 0010.
CASES: list[tuple[tuple[str, int, str | None], tuple[str, str | None]]] = [
    (("pending", 0, None), ("pending", None)),
    (("sending", 0, None), ("handing_over", None)),  # ours: cut off mid hand-over
    (("sending", 4, "SMa"), ("with_provider", "sending")),  # Twilio's
    (("sending", 4, None), ("with_provider", "sending")),  # Twilio's, by our id before the SID
    (("queued", 3, "SMb"), ("with_provider", "queued")),
    (("delivered", 6, "SMc"), ("with_provider", "delivered")),
    (("undelivered", 6, "SMd"), ("with_provider", "undelivered")),
    (("read", 7, "SMe"), ("with_provider", "read")),
    (("failed", 6, "SMf"), ("with_provider", "failed")),  # Twilio said failed (or canceled)
    (("failed", 6, None), ("failed", None)),  # we gave up, or it was refused
]


def _urls(tmp_path: Path) -> list[str]:
    return [f"sqlite:///{tmp_path}/m.db", *filter(None, [os.environ.get("MIGRATION_TEST_DATABASE_URL")])]


def _alembic(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", async_url(url))
    config.attributes["configure_logger"] = False
    return config


@pytest.mark.parametrize("which", ["sqlite", "postgresql"])
def test_outbound_states_are_split_and_joined_again(tmp_path: Path, which: str) -> None:
    urls = [u for u in _urls(tmp_path) if u.startswith(which)]
    if not urls:
        pytest.skip("no MIGRATION_TEST_DATABASE_URL")
    config, db = _alembic(urls[0]), Database(urls[0])
    command.downgrade(config, "base")
    command.upgrade(config, "0009")
    db.execute(
        "INSERT INTO contacts (id, uid, phone, phone_valid, created_at) VALUES (1, 'u', 'p', true, :t)",
        t=NOW,
    )
    db.execute(
        "INSERT INTO conversations (id, contact_id, channel, owner, keep_assigned, created_at, updated_at)"
        " VALUES (1, 1, 'sms', 'bot', false, :t, :t)",
        t=NOW,
    )
    rows: list[dict[str, Any]] = [
        {"id": i, "direction": "out", "status": s, "rank": r, "sid": sid}
        for i, ((s, r, sid), _) in enumerate(CASES, start=1)
    ]
    rows.append({"id": 100, "direction": "in", "status": "received", "rank": 0, "sid": "SMin"})
    for row in rows:
        db.execute(
            "INSERT INTO messages (id, conversation_id, direction, channel, author, body, media,"
            " provider_sid, status, status_rank, attempts, created_at, updated_at, urgent)"
            " VALUES (:id, 1, :direction, 'sms', 'bot', '', '[]', :sid, :status, :rank, 1, :t, :t, false)",
            t=NOW,
            **row,
        )

    def read(columns: str) -> dict[int, tuple[Any, ...]]:
        return {
            r["id"]: tuple(r[c.strip()] for c in columns.split(","))
            for r in db.rows(f"SELECT id, {columns} FROM messages")
        }

    before = read("status, status_rank")
    command.upgrade(config, "0010")
    after = read("status, provider_status")
    assert [after[i] for i in range(1, len(CASES) + 1)] == [expected for _, expected in CASES]
    assert after[100] == ("received", None)
    command.downgrade(config, "0009")
    assert read("status, status_rank") == before
    command.upgrade(config, "head")
