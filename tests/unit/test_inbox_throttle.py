"""Login throttling against a real Redis server: counted before the password check, and no
stranger can lock a person out of the browser or address they use."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from redis.asyncio import Redis

from api.inbox.throttle import DEVICE_PREFIX, KNOWN_PREFIX, PREFIX, LoginThrottle
from tests.unit.conftest import run_on_redis

T = TypeVar("T")


#: Each test's Redis work, on a client of the module's own server.
run = run_on_redis


def throttle(client: Redis) -> LoginThrottle:
    return LoginThrottle(client, limit=3, window=60, ip_limit=5, name_limit=6)


async def allowed(logins: LoginThrottle, name: str, address: str, device: str | None = None) -> bool:
    return (await logins.attempt(name, address, device)).allowed


async def keys(client: Redis, prefix: str) -> list[str]:
    return [k.decode() async for k in client.scan_iter(match=prefix + "*")]


def test_parallel_attempts_are_counted_before_any_is_checked(url: str) -> None:
    async def body(client: Redis) -> None:
        logins = throttle(client)
        verdicts = await asyncio.gather(*(logins.attempt("alice", "10.0.0.1") for _ in range(40)))
        assert sum(v.allowed for v in verdicts) == 3
        refusals = [v for v in verdicts if not v.allowed]
        assert {v.refused_by for v in refusals} == {"pair"}
        assert sum(v.first_refusal for v in refusals) == 1  # one audit row, not 37

    run(url, body)


def test_a_name_from_one_address_is_paused_after_its_limit_whatever_its_case(url: str) -> None:
    async def body(client: Redis) -> None:
        logins = throttle(client)
        for name in ("Alice", "alice ", " ALICE"):
            assert await allowed(logins, name, "10.0.0.1")
        assert not await allowed(logins, "aLiCe", "10.0.0.1")
        # The same name from another address, and another name from this one, may still try.
        assert await allowed(logins, "alice", "10.0.0.2")
        assert await allowed(logins, "bob", "10.0.0.1")

    run(url, body)


def test_an_address_is_paused_after_its_limit_whatever_the_names(url: str) -> None:
    async def body(client: Redis) -> None:
        logins = throttle(client)
        for name in ("a", "b", "c", "d", "e"):
            assert await allowed(logins, name, "10.0.0.1")
        verdict = await logins.attempt("someone", "10.0.0.1")
        assert (verdict.allowed, verdict.refused_by) == (False, "address")
        assert await allowed(logins, "someone", "10.0.0.2")

    run(url, body)


def test_a_stranger_cannot_lock_the_person_out_of_their_browser_or_address(url: str) -> None:
    async def body(client: Redis) -> None:
        logins = throttle(client)
        good = await logins.attempt("alice", "10.0.0.1")
        device = await logins.succeeded(good)
        # Someone who knows the name tries from many addresses.
        for n in range(2, 8):
            await logins.attempt("alice", f"192.0.2.{n}")
        stranger = await logins.attempt("alice", "192.0.2.99")
        assert (stranger.allowed, stranger.refused_by) == (False, "name")
        # Alice's browser works from anywhere (its cookie), and her known address without it.
        from_her_browser = await logins.attempt("alice", "198.51.100.7", device)
        assert from_her_browser.allowed and from_her_browser.known_device
        assert await allowed(logins, "alice", "10.0.0.1")
        # A made-up or another name's device cookie proves nothing.
        assert not await allowed(logins, "alice", "192.0.2.100", "made-up-token")
        other = await logins.succeeded(await logins.attempt("bob", "10.9.9.9"))
        assert not await allowed(logins, "alice", "192.0.2.101", other)

    run(url, body)


def test_a_browsers_own_tries_are_limited_too(url: str) -> None:
    async def body(client: Redis) -> None:
        logins = throttle(client)
        device = await logins.succeeded(await logins.attempt("alice", "10.0.0.1"))
        for _ in range(3):
            assert await allowed(logins, "alice", "10.0.0.1", device)
        verdict = await logins.attempt("alice", "10.0.0.1", device)
        assert (verdict.allowed, verdict.refused_by) == (False, "pair")

    run(url, body)


def test_a_good_login_forgets_only_its_own_try(url: str) -> None:
    async def body(client: Redis) -> None:
        logins = throttle(client)
        for n in range(3):
            await logins.attempt("alice", f"192.0.2.{n}")
        await logins.succeeded(await logins.attempt("alice", "10.0.0.1"))
        # The name counter keeps the strangers' three tries and loses only the good one;
        # the good address's counters are gone.
        later = await logins.attempt("alice", "10.0.0.5")
        assert int(await client.get(later.keys[2]) or 0) == 4  # 3 strangers + this try
        again = await logins.attempt("alice", "10.0.0.1")
        assert int(await client.get(again.keys[0]) or 0) == 1
        assert int(await client.get(again.keys[1]) or 0) == 1

    run(url, body)


def test_succeeding_hands_out_a_fresh_device_token_each_time(url: str) -> None:
    async def body(client: Redis) -> None:
        logins = throttle(client)
        first = await logins.succeeded(await logins.attempt("alice", "10.0.0.1"))
        second = await logins.succeeded(await logins.attempt("alice", "10.0.0.1", first))
        assert first != second
        assert len(await keys(client, DEVICE_PREFIX)) == 1  # the old token no longer counts
        for n in range(2, 8):
            await logins.attempt("alice", f"192.0.2.{n}")
        assert not await allowed(logins, "alice", "198.51.100.1", first)
        assert await allowed(logins, "alice", "198.51.100.1", second)

    run(url, body)


def test_names_and_known_addresses_are_not_stored_as_typed(url: str) -> None:
    async def body(client: Redis) -> None:
        logins = throttle(client)
        await logins.succeeded(await logins.attempt("alice", "10.0.0.1"))
        stored = await keys(client, "inbox:login-")
        assert stored
        assert all("alice" not in k for k in stored)
        assert all("10.0.0.1" not in k for k in await keys(client, KNOWN_PREFIX))

    run(url, body)


def test_the_window_starts_at_the_first_try(url: str) -> None:
    async def body(client: Redis) -> None:
        logins = throttle(client)
        await logins.attempt("alice", "10.0.0.1")
        stored = await keys(client, PREFIX)
        assert len(stored) == 3
        for key in stored:
            assert 0 < await client.ttl(key) <= 60
            await client.expire(key, 10)
        await logins.attempt("alice", "10.0.0.1")
        for key in stored:
            assert 0 < await client.ttl(key) <= 10

    run(url, body)


def test_forgetting_the_places_after_a_reset(url: str) -> None:
    async def body(client: Redis) -> None:
        logins = throttle(client)
        device = await logins.succeeded(await logins.attempt("alice", "10.0.0.1"))
        bob = await logins.succeeded(await logins.attempt("bob", "10.0.0.1"))
        await logins.forget_places("Alice")
        for n in range(2, 8):
            await logins.attempt("alice", f"192.0.2.{n}")
        assert not await allowed(logins, "alice", "198.51.100.1", device)
        assert not await allowed(logins, "alice", "10.0.0.1")
        # Bob's browser is still his.
        for n in range(2, 8):
            await logins.attempt("bob", f"192.0.2.{n}")
        assert await allowed(logins, "bob", "198.51.100.1", bob)

    run(url, body)
