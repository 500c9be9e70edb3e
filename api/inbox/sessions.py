"""Server-side inbox sessions in Redis, with idle and absolute timeouts.

The cookie holds only a random token; Redis holds the session under the token's SHA-256,
so a copy of Redis does not hand out live cookies. Every request a person makes moves the
idle deadline (live refreshes do not); the absolute deadline never moves. Logout deletes
the key, which ends the session everywhere at once (several gateway processes share Redis).
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


def _key(token: str) -> str:
    return PREFIX + hashlib.sha256(token.encode()).hexdigest()


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

    async def create(self, user_id: int, role: str) -> tuple[str, InboxSession]:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        session = InboxSession(user_id, role, secrets.token_urlsafe(32), now, now)
        await self.redis.set(_key(token), json.dumps(asdict(session)), ex=self.idle)
        return token, session

    async def get(self, token: str | None, touch: bool = True) -> InboxSession | None:
        """The live session for this cookie, or None. `touch` moves its idle deadline on:
        a person's request does; live refreshes (events, fragments) must not, or a page
        left open would never time out."""
        if not token or len(token) > 128:
            return None
        raw = await self.redis.get(_key(token))
        if raw is None:
            return None
        try:
            session = InboxSession(**json.loads(raw))
        except (TypeError, ValueError):
            await self.redis.delete(_key(token))
            return None
        now = self.clock()
        if now - session.seen >= self.idle or now - session.created >= self.absolute:
            await self.redis.delete(_key(token))
            return None
        if not touch:
            return session
        session.seen = now
        left = int(min(self.idle, self.absolute - (now - session.created))) or 1
        # XX: only if it still exists, so a logout during this request is not undone.
        if not await self.redis.set(_key(token), json.dumps(asdict(session)), ex=left, xx=True):
            return None
        return session

    async def end(self, token: str | None) -> None:
        if token:
            await self.redis.delete(_key(token))

    async def end_all_for(self, user_id: int) -> int:
        """End every session of one account (deactivated, or password changed)."""
        ended = 0
        async for key in self.redis.scan_iter(match=PREFIX + "*"):
            raw = await self.redis.get(key)
            if raw and json.loads(raw).get("user_id") == user_id:
                ended += await self.redis.delete(key)
        return ended
