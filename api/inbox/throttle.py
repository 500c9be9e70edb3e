"""Failed-login throttling in Redis, per account name and per client address.

After `limit` failures within `window` seconds, further tries are refused until the
window passes, even with the right password, so guessing is slow and a locked account
is not a hint that the password was right.
"""

from __future__ import annotations

import hashlib

from redis.asyncio import Redis

PREFIX = "inbox:login-fail:"


def _keys(username: str, client: str) -> list[str]:
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"{PREFIX}user:{name}", f"{PREFIX}ip:{client}"]


class LoginThrottle:
    def __init__(self, redis: Redis, limit: int, window: int, ip_limit: int) -> None:
        self.redis = redis
        self.limit = limit
        self.window = window
        self.ip_limit = ip_limit

    async def blocked(self, username: str, client: str) -> bool:
        user_key, ip_key = _keys(username, client)
        user_fails, ip_fails = await self.redis.mget(user_key, ip_key)
        return int(user_fails or 0) >= self.limit or int(ip_fails or 0) >= self.ip_limit

    async def failed(self, username: str, client: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in _keys(username, client):
                pipe.incr(key)
                pipe.expire(key, self.window, nx=True)
            await pipe.execute()

    async def succeeded(self, username: str, client: str) -> None:
        await self.redis.delete(_keys(username, client)[0])
