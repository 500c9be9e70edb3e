"""Inbox sessions, against a real Redis server (started here). Login throttling: test_inbox_throttle.py."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
import redis
from redis.asyncio import Redis

from api.inbox.sessions import PREFIX, SessionStore, cookie_name

T = TypeVar("T")
IDLE = 600
ABSOLUTE = 3600
START = 1_795_000_000.0


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now


@pytest.fixture
def url(redis_server: str) -> str:
    """The server, emptied: every test starts with no sessions and no counters."""
    with redis.Redis.from_url(redis_server) as client:
        client.flushdb()
    return redis_server


def run(url: str, body: Callable[[Redis], Awaitable[T]]) -> T:
    async def main() -> T:
        client = Redis.from_url(url)
        try:
            return await body(client)
        finally:
            await client.aclose()

    return asyncio.run(main())


def key_of(token: str) -> str:
    return PREFIX + hashlib.sha256(token.encode()).hexdigest()


async def keys(client: Redis, prefix: str = PREFIX) -> list[str]:
    return [k.decode() async for k in client.scan_iter(match=prefix + "*")]


def store(client: Redis, clock: Clock, absolute: int = ABSOLUTE) -> SessionStore:
    return SessionStore(client, IDLE, absolute, clock=lambda: clock.now)


def test_a_new_session_is_found_again(url: str) -> None:
    async def body(client: Redis) -> None:
        clock = Clock()
        sessions = store(client, clock)
        token, created = await sessions.create(7, "admin")
        assert created.user_id == 7 and created.role == "admin"
        assert created.created == created.seen == START
        assert created.csrf and created.csrf != token
        clock.now += 5
        found = await sessions.get(token)
        assert found is not None
        assert (found.user_id, found.role, found.csrf) == (7, "admin", created.csrf)
        assert found.created == START and found.seen == START + 5

    run(url, body)


def test_each_session_has_its_own_token_and_csrf(url: str) -> None:
    async def body(client: Redis) -> None:
        sessions = store(client, Clock())
        one, first = await sessions.create(1, "practitioner")
        two, second = await sessions.create(1, "practitioner")
        assert one != two and first.csrf != second.csrf
        assert len(await keys(client)) == 2

    run(url, body)


def test_redis_holds_the_tokens_hash_not_the_token(url: str) -> None:
    async def body(client: Redis) -> None:
        token, session = await store(client, Clock()).create(3, "practitioner")
        stored = await keys(client)
        assert stored == [key_of(token)]
        assert all(token not in k for k in stored)
        raw = await client.get(stored[0])
        assert raw is not None
        assert token not in raw.decode()
        assert json.loads(raw)["csrf"] == session.csrf
        ttl = await client.ttl(stored[0])
        assert 0 < ttl <= IDLE

    run(url, body)


def test_idle_sessions_end(url: str) -> None:
    async def body(client: Redis) -> None:
        clock = Clock()
        sessions = store(client, clock)
        token, _ = await sessions.create(1, "practitioner")
        clock.now += IDLE + 1
        assert await sessions.get(token) is None
        assert await client.exists(key_of(token)) == 0
        clock.now = START
        assert await sessions.get(token) is None

    run(url, body)


def test_a_session_just_inside_the_idle_time_lives(url: str) -> None:
    async def body(client: Redis) -> None:
        clock = Clock()
        sessions = store(client, clock)
        token, _ = await sessions.create(1, "practitioner")
        clock.now += IDLE - 1
        assert await sessions.get(token) is not None

    run(url, body)


def test_activity_moves_the_idle_deadline(url: str) -> None:
    async def body(client: Redis) -> None:
        clock = Clock()
        sessions = store(client, clock)
        token, _ = await sessions.create(1, "practitioner")
        clock.now += IDLE - 10
        assert await sessions.get(token) is not None
        clock.now += IDLE - 10
        found = await sessions.get(token)
        assert found is not None and found.seen == START + 2 * (IDLE - 10)
        clock.now += IDLE
        assert await sessions.get(token) is None

    run(url, body)


def test_the_absolute_timeout_ends_even_an_active_session(url: str) -> None:
    async def body(client: Redis) -> None:
        clock = Clock()
        sessions = store(client, clock, absolute=1000)
        token, _ = await sessions.create(1, "practitioner")
        clock.now += 500
        assert await sessions.get(token) is not None
        clock.now += 490
        assert await sessions.get(token) is not None
        # Redis forgets it when the absolute deadline comes, not a full idle time later.
        assert 0 < await client.ttl(key_of(token)) <= 10
        clock.now += 20
        assert await sessions.get(token) is None
        assert await client.exists(key_of(token)) == 0

    run(url, body)


def test_end_ends_only_that_session(url: str) -> None:
    async def body(client: Redis) -> None:
        sessions = store(client, Clock())
        token, _ = await sessions.create(1, "practitioner")
        other, _ = await sessions.create(1, "practitioner")
        await sessions.end(token)
        assert await sessions.get(token) is None
        assert await client.exists(key_of(token)) == 0
        assert await sessions.get(other) is not None
        await sessions.end(None)
        await sessions.end("")
        assert await sessions.get(other) is not None

    run(url, body)


def test_end_all_for_one_user(url: str) -> None:
    async def body(client: Redis) -> None:
        sessions = store(client, Clock())
        first, _ = await sessions.create(1, "practitioner")
        second, _ = await sessions.create(1, "practitioner")
        someone_else, _ = await sessions.create(2, "admin")
        assert await sessions.end_all_for(1) == 2
        assert await sessions.get(first) is None
        assert await sessions.get(second) is None
        found = await sessions.get(someone_else)
        assert found is not None and found.user_id == 2
        assert await sessions.end_all_for(1) == 0

    run(url, body)


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 64])
def test_unknown_tokens_have_no_session(url: str, token: str | None) -> None:
    async def body(client: Redis) -> None:
        sessions = store(client, Clock())
        await sessions.create(1, "practitioner")
        assert await sessions.get(token) is None

    run(url, body)


def test_an_oversized_token_is_refused_without_a_lookup(url: str) -> None:
    async def body(client: Redis) -> None:
        sessions = store(client, Clock())
        real, _ = await sessions.create(1, "practitioner")
        value = await client.get(key_of(real))
        assert value is not None
        # The same session stored under a 129- and a 128-character token.
        await client.set(key_of("x" * 129), value)
        await client.set(key_of("y" * 128), value)
        assert await sessions.get("x" * 129) is None
        assert await sessions.get("y" * 128) is not None

    run(url, body)


@pytest.mark.parametrize("value", ["not json", "[1, 2]", '{"user_id": 1}', "5"])
def test_a_corrupt_session_is_dropped(url: str, value: str) -> None:
    async def body(client: Redis) -> None:
        await client.set(key_of("broken"), value)
        assert await store(client, Clock()).get("broken") is None
        assert await client.exists(key_of("broken")) == 0

    run(url, body)


def test_a_logout_during_a_request_is_not_undone(url: str) -> None:
    async def body(client: Redis) -> None:
        clock = Clock()
        token, _ = await store(client, clock).create(1, "practitioner")

        def logout_elsewhere_then_tell_the_time() -> float:
            # Another gateway process ends the session after this request has read it.
            with redis.Redis.from_url(url) as other:
                other.delete(key_of(token))
            return clock.now

        racing = SessionStore(client, IDLE, ABSOLUTE, clock=logout_elsewhere_then_tell_the_time)
        await racing.get(token)
        assert await client.exists(key_of(token)) == 0

    run(url, body)


def test_a_live_refresh_does_not_move_the_idle_deadline(url: str) -> None:
    async def body(client: Redis) -> None:
        clock = Clock()
        sessions = store(client, clock)
        token, _ = await sessions.create(1, "practitioner")
        clock.now += IDLE - 60
        found = await sessions.get(token, touch=False)
        assert found is not None and found.seen == START
        assert await client.ttl(key_of(token)) <= IDLE  # not pushed back either
        clock.now += 60
        # Refreshes alone never keep a session alive: the idle time ran out.
        assert await sessions.get(token, touch=False) is None
        assert await sessions.get(token) is None

    run(url, body)


def test_a_person_moves_the_deadline_after_refreshes(url: str) -> None:
    async def body(client: Redis) -> None:
        clock = Clock()
        sessions = store(client, clock)
        token, _ = await sessions.create(1, "practitioner")
        clock.now += IDLE - 60
        await sessions.get(token, touch=False)
        found = await sessions.get(token)
        assert found is not None and found.seen == clock.now

    run(url, body)


def test_cookie_names_get_the_host_prefix_only_over_https() -> None:
    assert cookie_name("inbox_session", secure=True) == "__Host-inbox_session"
    assert cookie_name("inbox_session", secure=False) == "inbox_session"
