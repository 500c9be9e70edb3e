"""Inbox sessions, against a real Redis server (started here). Login throttling: test_inbox_throttle.py."""

from __future__ import annotations

import hashlib
import json
from typing import TypeVar

import pytest
import redis
from redis.asyncio import Redis

from api.inbox.sessions import INDEX, PREFIX, SessionStore, cookie_name, describe_browser
from tests.unit.conftest import run_on_redis

T = TypeVar("T")
IDLE = 600
ABSOLUTE = 3600
START = 1_795_000_000.0


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now


#: Each test's Redis work, on a client of the module's own server.
run = run_on_redis


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
        assert await client.exists(INDEX + "1") == 0
        assert await members(client, 2) == {digest(someone_else)}

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


# The index of each account's sessions (ASVS 7.5.2: a person sees and ends their own sessions).


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def members(client: Redis, user_id: int) -> set[str]:
    return {m.decode() for m in await client.smembers(INDEX + str(user_id))}  # type: ignore[misc]


def test_the_index_lists_an_accounts_live_sessions_newest_first(url: str) -> None:
    async def body(client: Redis) -> None:
        clock = Clock()
        sessions = store(client, clock)
        desk, _ = await sessions.create(1, "practitioner", "203.0.113.7", "Firefox on Windows")
        clock.now += 60
        laptop, _ = await sessions.create(1, "practitioner", "198.51.100.2", "Safari on macOS")
        theirs, _ = await sessions.create(2, "admin", "192.0.2.1", "Edge on Windows")
        assert await members(client, 1) == {digest(desk), digest(laptop)}
        assert await members(client, 2) == {digest(theirs)}
        listed = await sessions.sessions_of(1)
        assert [(s.browser, s.address, s.created) for s in listed] == [
            ("Safari on macOS", "198.51.100.2", START + 60),
            ("Firefox on Windows", "203.0.113.7", START),
        ]
        assert len({s.sid for s in listed}) == 2
        # The public id is neither the token nor the hash Redis keeps it under.
        assert all(s.sid not in (desk, laptop, digest(desk), digest(laptop)) for s in listed)
        assert await sessions.sessions_of(3) == []

    run(url, body)


def test_the_index_expires_with_the_longest_session_it_can_hold(url: str) -> None:
    async def body(client: Redis) -> None:
        await store(client, Clock()).create(1, "practitioner")
        assert ABSOLUTE - 5 < await client.ttl(INDEX + "1") <= ABSOLUTE

    run(url, body)


def test_a_logout_takes_the_session_out_of_the_index(url: str) -> None:
    async def body(client: Redis) -> None:
        sessions = store(client, Clock())
        gone, _ = await sessions.create(1, "practitioner")
        kept, _ = await sessions.create(1, "practitioner")
        await sessions.end(gone)
        assert await members(client, 1) == {digest(kept)}
        await sessions.end(gone)  # twice: nothing happens
        assert await members(client, 1) == {digest(kept)}

    run(url, body)


def test_sessions_that_timed_out_or_expired_leave_the_index(url: str) -> None:
    async def body(client: Redis) -> None:
        clock = Clock()
        sessions = store(client, clock)
        idle, _ = await sessions.create(1, "practitioner")
        expired, _ = await sessions.create(1, "practitioner")
        busy, _ = await sessions.create(1, "practitioner")
        await client.delete(key_of(expired))  # as Redis does when its time to live runs out
        clock.now += IDLE - 10
        assert await sessions.get(busy) is not None
        clock.now += 20  # `idle` has now been idle too long; nobody has asked for it yet
        assert [s.user_id for s in await sessions.sessions_of(1)] == [1]
        assert await members(client, 1) == {digest(busy)}
        assert await client.exists(key_of(idle)) == 0

    run(url, body)


def test_a_new_login_tidies_the_index(url: str) -> None:
    async def body(client: Redis) -> None:
        sessions = store(client, Clock())
        old, _ = await sessions.create(1, "practitioner")
        await client.delete(key_of(old))
        new, _ = await sessions.create(1, "practitioner")
        assert await members(client, 1) == {digest(new)}

    run(url, body)


def test_a_timed_out_session_found_by_its_cookie_leaves_the_index(url: str) -> None:
    async def body(client: Redis) -> None:
        clock = Clock()
        sessions = store(client, clock)
        token, _ = await sessions.create(1, "practitioner")
        clock.now += IDLE + 1
        assert await sessions.get(token) is None
        assert await members(client, 1) == set()

    run(url, body)


def test_a_person_ends_one_of_their_own_sessions_by_its_id(url: str) -> None:
    async def body(client: Redis) -> None:
        sessions = store(client, Clock())
        mine, _ = await sessions.create(1, "practitioner")
        other, other_session = await sessions.create(1, "practitioner")
        theirs, their_session = await sessions.create(2, "practitioner")
        # Another account's id is not found, and that session lives on.
        assert await sessions.end_one(1, their_session.sid) is None
        assert await sessions.get(theirs) is not None
        assert await sessions.end_one(1, "no such id") is None
        ended = await sessions.end_one(1, other_session.sid)
        assert ended is not None and ended.sid == other_session.sid
        assert await sessions.get(other) is None
        assert await sessions.get(mine) is not None
        assert await members(client, 1) == {digest(mine)}
        assert await sessions.end_one(1, other_session.sid) is None

    run(url, body)


def test_ending_the_others_keeps_this_one(url: str) -> None:
    async def body(client: Redis) -> None:
        sessions = store(client, Clock())
        here, _ = await sessions.create(1, "practitioner")
        others = [(await sessions.create(1, "practitioner"))[0] for _ in range(3)]
        theirs, _ = await sessions.create(2, "practitioner")
        assert await sessions.end_others(1, here) == 3
        assert all([await sessions.get(t) is None for t in others])
        assert await sessions.get(here) is not None and await sessions.get(theirs) is not None
        assert await members(client, 1) == {digest(here)}
        assert await sessions.end_others(1, here) == 0

    run(url, body)


def test_a_request_records_where_it_came_from(url: str) -> None:
    async def body(client: Redis) -> None:
        sessions = store(client, Clock())
        token, _ = await sessions.create(1, "practitioner", "203.0.113.7")
        assert await sessions.get(token, touch=False, address="198.51.100.9") is not None
        [listed] = await sessions.sessions_of(1)
        assert listed.last_address == "203.0.113.7"  # a live refresh is not the person
        await sessions.get(token, address="198.51.100.9")
        [listed] = await sessions.sessions_of(1)
        assert (listed.address, listed.last_address) == ("203.0.113.7", "198.51.100.9")

    run(url, body)


def test_a_session_stored_before_the_index_ends(url: str) -> None:
    async def body(client: Redis) -> None:
        old = {"user_id": 1, "role": "practitioner", "csrf": "c", "created": START, "seen": START}
        await client.set(key_of("from-before"), json.dumps(old))
        assert await store(client, Clock()).get("from-before") is None
        assert await client.exists(key_of("from-before")) == 0

    run(url, body)


@pytest.mark.parametrize(
    ("agent", "shown"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/18.1 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        ("python-httpx/0.28.1", "An unknown browser"),
        ("<script>alert(1)</script> Windows", "A browser on Windows"),
        (None, "An unknown browser"),
    ],
)
def test_the_browser_is_described_in_fixed_words(agent: str | None, shown: str) -> None:
    assert describe_browser(agent) == shown
