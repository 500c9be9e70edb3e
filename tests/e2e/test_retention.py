"""The daily retention job, run on demand: the bot forgets after 7 days, residents go after
the retention period unless a referral or a safety flag is open."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import redis
from arq import create_pool
from arq.connections import RedisSettings

from api.queue import PURGE
from scripts.stack import Stack
from tests.support import Database, Gateway, Resident, converse, wait_for

pytestmark = pytest.mark.stack


def run_purge(stack: Stack) -> None:
    async def enqueue() -> None:
        pool = await create_pool(RedisSettings.from_dsn(stack.env["REDIS_URL"]))
        await pool.enqueue_job(PURGE, _queue_name=stack.env["QUEUE_NAME"])
        await pool.aclose()

    asyncio.run(enqueue())


def days_ago(db: Database, resident: Resident, days: int) -> dict[str, object]:
    when = datetime.now(UTC) - timedelta(days=days)
    db.execute(
        "UPDATE conversations SET last_inbound_at = :w "
        "WHERE contact_id = (SELECT id FROM contacts WHERE phone = :p)",
        w=when,
        p=resident.number,
    )
    [contact] = db.rows("SELECT id, uid FROM contacts WHERE phone = :p", p=resident.number)
    return contact


def test_the_bot_forgets_after_a_week_and_silent_residents_are_removed(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    week = Resident(gateway)
    converse(week, db, "i want to ask for help")  # an unfinished referral, in the bot's memory
    year = Resident(gateway)
    converse(year, db, "hello")
    flagged = Resident(gateway)
    converse(flagged, db, "i want to kill myself")
    recent = Resident(gateway)
    converse(recent, db, "hello")

    week_contact = days_ago(db, week, 8)
    year_contact = days_ago(db, year, 400)
    days_ago(db, flagged, 400)
    recent_contact = db.rows("SELECT uid FROM contacts WHERE phone = :p", p=recent.number)[0]
    with redis.Redis.from_url(healthy.env["REDIS_URL"]) as client:
        assert client.exists(f"rasa:tracker:{week_contact['uid']}")
        run_purge(healthy)
        wait_for(
            lambda: not client.exists(f"rasa:tracker:{week_contact['uid']}"), 15, what="the bot to forget"
        )
        assert client.exists(f"rasa:tracker:{recent_contact['uid']}")
    wait_for(lambda: db.rows("SELECT id FROM contacts WHERE id = :i", i=year_contact["id"]) == [], 15)
    # The week-old resident keeps their messages; the flagged one is kept for a person.
    assert db.rows("SELECT id FROM contacts WHERE phone = :p", p=week.number)
    assert db.rows("SELECT id FROM contacts WHERE phone = :p", p=flagged.number)
    assert db.rows("SELECT id FROM erasure_requests WHERE done_by = 'retention'")
    # Coming back after the bot forgot starts afresh (the referral is not carried on).
    assert "ref_welcome_back" not in [r["key"] for r in converse(week, db, "i want to ask for help")]
