"""Server-side inbox sessions in Redis, with idle and absolute timeouts.

The cookie holds only a random token; Redis holds the session under the token's SHA-256,
so a copy of Redis does not hand out live cookies. Every request a person makes moves the
idle deadline (live refreshes do not); the absolute deadline never moves. Logout deletes
the key, which ends the session everywhere at once (several gateway processes share Redis).

Each account has an index of its sessions (a Redis set of the keys' hashes,
`inbox:user-sessions:<id>`), so "Your account" can list them and a person can end one,
all but this one, or (a password change, deactivation) all, without a scan of Redis. A
member whose session has gone (ended, timed out, expired) is removed whenever the set is
read or a session is added; the set itself expires with the longest session it can hold.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from redis.asyncio import Redis

COOKIE = "inbox_session"
PREFIX = "inbox:session:"
INDEX = "inbox:user-sessions:"


def cookie_name(name: str, secure: bool) -> str:
    """Over https a cookie gets the `__Host-` prefix: the browser then keeps it only if it is
    Secure, for this host alone and for every path, so no sibling subdomain can plant one."""
    return f"__Host-{name}" if secure else name


@dataclass
class InboxSession:
    user_id: int
    role: str
    csrf: str
    created: float
    seen: float
    #: A public handle for this session, to name it on "Your account" (never the token, nor
    #: its hash). Sessions stored before these fields existed do not parse and so end.
    sid: str
    #: The client address it logged in from, and the last one a request came from.
    address: str
    last_address: str
    #: A short description of the browser ("Firefox on Windows"), from fixed words only.
    browser: str


#: (what the User-Agent contains, the name shown), first match wins: Edge and Opera also say
#: Chrome, and Chrome also says Safari.
BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_browser(user_agent: str | None) -> str:
    """ "Firefox on Windows": words from the tables above only, never the header itself, so
    nothing a client sends is kept or shown, and no more is kept than a person needs to
    recognise their own computer."""
    agent = (user_agent or "")[:512]
    browser = next((name for mark, name in BROWSERS if mark in agent), "")
    system = next((name for mark, name in SYSTEMS if mark in agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "An unknown browser")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _key(token: str) -> str:
    return PREFIX + _digest(token)


def _index(user_id: int) -> str:
    return f"{INDEX}{user_id}"


def _parse(raw: bytes | str | None) -> InboxSession | None:
    if raw is None:
        return None
    try:
        session = InboxSession(**json.loads(raw))
    except (TypeError, ValueError):
        return None
    return session if isinstance(session.user_id, int) else None


class SessionStore:
    def __init__(
        self,
        redis: Redis,
        idle_seconds: int,
        absolute_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.idle = idle_seconds
        self.absolute = absolute_seconds
        self.clock = clock

    async def create(
        self, user_id: int, role: str, address: str = "unknown", browser: str = "An unknown browser"
    ) -> tuple[str, InboxSession]:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        sid = secrets.token_urlsafe(12)
        csrf = secrets.token_urlsafe(32)
        session = InboxSession(user_id, role, csrf, now, now, sid, address, address, browser)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(_key(token), json.dumps(asdict(session)), ex=self.idle)
            pipe.sadd(_index(user_id), _digest(token))
            # Every session in the set ends within `absolute` of its creation, this one last.
            pipe.expire(_index(user_id), self.absolute)
            await pipe.execute()
        await self._live(user_id)  # drops the members that have gone
        return token, session

    def _over(self, session: InboxSession, now: float) -> bool:
        return now - session.seen >= self.idle or now - session.created >= self.absolute

    async def get(
        self, token: str | None, touch: bool = True, address: str | None = None
    ) -> InboxSession | None:
        """The live session for this cookie, or None. `touch` moves its idle deadline on:
        a person's request does; live refreshes (events, fragments) must not, or a page
        left open would never time out. `address`: where this request came from."""
        if not token or len(token) > 128:
            return None
        raw = await self.redis.get(_key(token))
        if raw is None:
            return None
        session = _parse(raw)
        if session is None:
            await self.redis.delete(_key(token))
            return None
        now = self.clock()
        if self._over(session, now):
            await self._drop(session.user_id, _digest(token))
            return None
        if not touch:
            return session
        session.seen = now
        if address:
            session.last_address = address
        left = int(min(self.idle, self.absolute - (now - session.created))) or 1
        # XX: only if it still exists, so a logout during this request is not undone.
        if not await self.redis.set(_key(token), json.dumps(asdict(session)), ex=left, xx=True):
            return None
        return session

    async def _drop(self, user_id: int, *digests: str) -> int:
        """Delete these sessions of one account and take them out of its index."""
        if not digests:
            return 0
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(*(PREFIX + d for d in digests))
            pipe.srem(_index(user_id), *digests)
            deleted, _ = await pipe.execute()
        return int(deleted)

    async def _members(self, user_id: int) -> list[str]:
        members = await self.redis.smembers(_index(user_id))  # type: ignore[misc]
        return sorted(m.decode() if isinstance(m, bytes) else m for m in members)

    async def _live(self, user_id: int) -> list[tuple[str, InboxSession]]:
        """(hash, session) of every live session of one account; members of the index whose
        session has gone (ended, timed out, expired, unreadable) are removed from it."""
        digests = await self._members(user_id)
        if not digests:
            return []
        raws = await self.redis.mget([PREFIX + d for d in digests])
        now = self.clock()
        live, gone = [], []
        for digest, raw in zip(digests, raws, strict=True):
            session = _parse(raw)
            if session is None or session.user_id != user_id or self._over(session, now):
                gone.append(digest)
            else:
                live.append((digest, session))
        await self._drop(user_id, *gone)
        return live

    async def sessions_of(self, user_id: int) -> list[InboxSession]:
        """Every live session of one account, the newest first."""
        return sorted((s for _, s in await self._live(user_id)), key=lambda s: s.created, reverse=True)

    async def end(self, token: str | None) -> None:
        if not token:
            return
        session = _parse(await self.redis.getdel(_key(token)))
        if session is not None:
            await self.redis.srem(_index(session.user_id), _digest(token))  # type: ignore[misc]

    async def end_one(self, user_id: int, sid: str) -> InboxSession | None:
        """End the session of this account that has this public id; None if it has none
        (another account's id is not found either)."""
        for digest, session in await self._live(user_id):
            if secrets.compare_digest(session.sid.encode(), sid.encode()):
                return session if await self._drop(user_id, digest) else None
        return None

    async def end_others(self, user_id: int, keep: str) -> int:
        """End every session of one account but the one with this token."""
        digests = [d for d, _ in await self._live(user_id) if d != _digest(keep)]
        return await self._drop(user_id, *digests)

    async def end_all_for(self, user_id: int) -> int:
        """End every session of one account (deactivated, or password changed or reset)."""
        digests = await self._members(user_id)
        ended = await self._drop(user_id, *digests)
        await self.redis.delete(_index(user_id))
        return ended
