"""Helpers for tests that go through the running system (real HTTP, real processes)."""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import phonenumbers
from sqlalchemy import DateTime, TextClause, bindparam, text

from api.db.session import make_engine
from api.gateway.signature import sign

T = TypeVar("T")
DEV_TOKEN = "dev-only-auth-token-change-me"


def new_uk_mobile() -> str:
    """A valid, random UK mobile number (07911 numbers are valid; Ofcom's drama range is not)."""
    while True:
        number = f"+447911{random.randint(0, 999_999):06d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def wait_for(probe: Callable[[], T | None], timeout: float, interval: float = 0.1, what: str = "") -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or probe}")
        time.sleep(interval)


@dataclass
class Gateway:
    base_url: str  # where the gateway listens
    public_url: str  # PUBLIC_BASE_URL, what Twilio signs
    token: str = DEV_TOKEN
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))

    def post_signed(self, path: str, form: dict[str, str], signature: str | None = None) -> httpx.Response:
        if signature is None:
            signature = sign(self.token, self.public_url + path, form)
        headers = {"X-Twilio-Signature": signature} if signature else {}
        return self.client.post(self.base_url + path, data=form, headers=headers)

    def outbox(self, number: str) -> list[dict[str, Any]]:
        response = self.client.get(self.base_url + "/dev/outbox", params={"to": number})
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()
        return result


@dataclass
class Resident:
    """A phone texting the service."""

    gateway: Gateway
    number: str = field(default_factory=new_uk_mobile)
    whatsapp: bool = False

    @property
    def address(self) -> str:
        return f"whatsapp:{self.number}" if self.whatsapp else self.number

    def form(
        self, body: str = "", sid: str | None = None, media: Iterable[tuple[str, str]] = ()
    ) -> dict[str, str]:
        media = list(media)
        form = {
            "MessageSid": sid or "SM" + secrets.token_hex(16),
            "AccountSid": "AC" + "1" * 32,
            "From": self.address,
            "To": "whatsapp:+447000000000" if self.whatsapp else "+447000000000",
            "Body": body,
            "NumMedia": str(len(media)),
        }
        for i, (url, kind) in enumerate(media):
            form[f"MediaUrl{i}"] = url
            form[f"MediaContentType{i}"] = kind
        return form

    def send(self, body: str = "", **kwargs: Any) -> httpx.Response:
        response = self.gateway.post_signed("/twilio/messages", self.form(body, **kwargs))
        assert response.status_code == 200, response.text
        return response

    def outbox(self) -> list[dict[str, Any]]:
        return self.gateway.outbox(self.number)

    def wait_replies(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        def enough() -> list[dict[str, Any]] | None:
            box = self.outbox()
            return box if len(box) >= count else None

        return wait_for(enough, timeout, what=f"{count} replies to {self.number}")


#: A moment long past (UTC), for rows a test makes due or old.
LONG_AGO = datetime(2000, 1, 1, 9, 0, tzinfo=UTC)


def _typed(sql: str, params: dict[str, Any]) -> TextClause:
    """Raw SQL whose datetime parameters are written as the application's own column type
    writes them (SQLite's text form, PostgreSQL's timestamptz), not as each driver guesses."""
    times = [
        bindparam(name, type_=DateTime(timezone=True))
        for name, v in params.items()
        if isinstance(v, datetime)
    ]
    return text(sql).bindparams(*times) if times else text(sql)


class Database:
    """Read the application's database from tests (SQLite or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        async def run() -> list[dict[str, Any]]:
            engine = make_engine(self.url)
            try:
                async with engine.connect() as connection:
                    result = await connection.execute(_typed(sql, params), params)
                    return [dict(row._mapping) for row in result]
            finally:
                await engine.dispose()

        return asyncio.run(run())

    def execute(self, sql: str, **params: Any) -> None:
        async def run() -> None:
            engine = make_engine(self.url)
            try:
                async with engine.begin() as connection:
                    await connection.execute(_typed(sql, params), params)
            finally:
                await engine.dispose()

        asyncio.run(run())

    def messages_of(self, number: str) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT m.* FROM messages m JOIN conversations c ON m.conversation_id = c.id "
            "JOIN contacts p ON c.contact_id = p.id WHERE p.phone = :phone ORDER BY m.id",
            phone=number,
        )


def converse(resident: Resident, db: Database, text: str, timeout: float = 20) -> list[dict[str, Any]]:
    """Send one message and return every reply to it, once the worker has finished with it,
    except a holding reply: a slow turn on a busy machine gets one, rightly (the tests of the
    holding reply read the outbox itself)."""
    before = len(resident.outbox())
    resident.send(text)

    def answered() -> list[dict[str, Any]] | None:
        rows = db.messages_of(resident.number)
        inbound = [r for r in rows if r["direction"] == "in"]
        if not inbound or inbound[-1]["status"] != "processed":
            return None
        # Refused ones (opted out, no number) never reach the outbox: at night a deferred
        # appointment text is released and then refused once the resident has sent STOP.
        sent = sum(1 for r in rows if r["direction"] == "out" and r["status"] != "failed")
        box = resident.outbox()
        return box[before:] if len(box) >= sent else None

    replies = wait_for(answered, timeout, interval=0.05, what=f"the replies to {text!r}")
    return [reply for reply in replies if reply["key"] != "holding"]


def unanswered(resident: Resident, db: Database, text: str, timeout: float = 20) -> list[dict[str, Any]]:
    """Send one message while a person has the conversation; once the worker has handled
    it, return whatever was sent back (expected: nothing)."""
    before = len(resident.outbox())
    resident.send(text)

    def handled() -> tuple[list[dict[str, Any]]] | None:
        inbound = [r for r in db.messages_of(resident.number) if r["direction"] == "in"]
        if not inbound or inbound[-1]["status"] != "processed":
            return None
        return (resident.outbox()[before:],)

    return wait_for(handled, timeout, interval=0.05, what=f"the worker to handle {text!r}")[0]


def keys(replies: list[dict[str, Any]]) -> list[str]:
    return [str(r["key"]) for r in replies]


def release_deferred(db: Database, number: str) -> None:
    """Make messages waiting for the resident's safe time due now (tests may run at night)."""
    db.execute(
        "UPDATE messages SET not_before = :past WHERE not_before IS NOT NULL AND conversation_id IN "
        "(SELECT c.id FROM conversations c JOIN contacts p ON c.contact_id = p.id WHERE p.phone = :p)",
        past=LONG_AGO,
        p=number,
    )


def referral_answers(ways: str = "1 3", times: str = "4") -> tuple[str, ...]:
    """English answers to the referral's questions, from the story up to (not including) consent."""
    return (
        "my rent is behind",
        "1",
        "1",
        "Sam",
        "skip",
        "25/12/1980",
        "E15 4HT",
        "skip",
        ways,
        times,
        "no",
        "no",
        "skip",
    )


def complete_referral(resident: Resident, db: Database, ways: str = "1 3", times: str = "4") -> str:
    """Ask for help, answer everything, consent and confirm; the stored referral's reference."""
    converse(resident, db, "i want to ask for help")
    for answer in (*referral_answers(ways, times), "yes", "yes"):
        converse(resident, db, answer)
    [row] = db.rows(
        "SELECT r.reference FROM referrals r JOIN contacts c ON r.contact_id = c.id WHERE c.phone = :p",
        p=resident.number,
    )
    return str(row["reference"])


def session_processes(leader: int) -> list[int]:
    """Every process in the session that `leader` leads (a service's process and its children:
    scripts/stack.py starts each service in a session of its own)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) == leader:
                pids.append(int(entry.name))
        except OSError:  # gone meanwhile
            continue
    return pids
