"""Login throttling in Redis: count first, then check the password; nobody can lock a person out.

Every login attempt is counted in one Redis script *before* the password is verified, so
forty tries sent at once cannot all get past a check made before any of them failed. Three
counters, each over a window that starts at its first attempt:

- the name from this device (a proven device cookie), or else the name from this address:
  `limit` tries (INBOX_LOGIN_LIMIT);
- the address, whatever the names: `ip_limit` tries (INBOX_LOGIN_IP_LIMIT);
- the name from anywhere new: `name_limit` tries (INBOX_LOGIN_NAME_LIMIT), after which only a
  device or address where this person logged in before may try.

A correct login forgets its own attempt. So a stranger who knows someone's user name can
use up only the counters of their own addresses and the name's "from anywhere new"
allowance: the person's own browser (its device cookie) and the addresses they have logged
in from keep working. docs/security.md says why.

Names are stored as SHA-256, addresses of known places too; nothing here holds a password.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from redis.asyncio import Redis

PREFIX = "inbox:login-fail:"
DEVICE_PREFIX = "inbox:login-device:"
KNOWN_PREFIX = "inbox:login-known:"
#: A device or address stays known for 90 days after its last good login.
KNOWN_SECONDS = 90 * 24 * 3600

# KEYS: 1 name+address, 2 address, 3 name, 4 device record, 5 known address, 6 name+device
# ARGV: 1 window, 2 limit, 3 ip limit, 4 name limit, 5 name hash
# Returns {refused by: "" | "pair" | "address" | "name", first refusal of that counter: 0 | 1,
#          device proven: 0 | 1}.
_ATTEMPT = """
local window = tonumber(ARGV[1])
local function bump(key)
  local n = redis.call('INCR', key)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, window) end
  return n
end
local device = redis.call('GET', KEYS[4])
if device and device == ARGV[5] then
  local n = bump(KEYS[6])
  if n > tonumber(ARGV[2]) then return {'pair', n == tonumber(ARGV[2]) + 1 and 1 or 0, 1} end
  return {'', 0, 1}
end
local pair = bump(KEYS[1])
local address = bump(KEYS[2])
local name = bump(KEYS[3])
if pair > tonumber(ARGV[2]) then return {'pair', pair == tonumber(ARGV[2]) + 1 and 1 or 0, 0} end
if address > tonumber(ARGV[3]) then return {'address', address == tonumber(ARGV[3]) + 1 and 1 or 0, 0} end
if name > tonumber(ARGV[4]) and redis.call('EXISTS', KEYS[5]) == 0 then
  return {'name', name == tonumber(ARGV[4]) + 1 and 1 or 0, 0}
end
return {'', 0, 0}
"""

# KEYS as above. A good login forgets its own attempt: the pair counter goes, the shared
# counters lose one (never below nothing).
_SUCCEEDED = """
local function drop(key)
  local n = tonumber(redis.call('GET', key) or '0')
  if n > 1 then redis.call('DECR', key) elseif n == 1 then redis.call('DEL', key) end
end
if ARGV[1] == '1' then
  redis.call('DEL', KEYS[6])
  return 1
end
redis.call('DEL', KEYS[1])
drop(KEYS[2])
drop(KEYS[3])
return 0
"""


def _hash(value: str, size: int = 32) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:size]


def normal_name(username: str) -> str:
    return username.strip().lower()


@dataclass(frozen=True)
class Attempt:
    """One counted login attempt, and whether it may go on to the password check."""

    keys: list[str]
    refused_by: str
    #: The first refusal by that counter in its window (the one worth an audit row).
    first_refusal: bool
    #: The browser sent a device cookie from an earlier good login to this name.
    known_device: bool

    @property
    def allowed(self) -> bool:
        return not self.refused_by


class LoginThrottle:
    def __init__(self, redis: Redis, limit: int, window: int, ip_limit: int, name_limit: int) -> None:
        self.redis = redis
        self.limit = limit
        self.window = window
        self.ip_limit = ip_limit
        self.name_limit = name_limit

    def _keys(self, username: str, client: str, device: str | None) -> list[str]:
        name = _hash(normal_name(username))
        place = _hash(client)
        device_hash = _hash(device or "-", 64)
        return [
            f"{PREFIX}pair:{name}:{place}",
            f"{PREFIX}ip:{client}",
            f"{PREFIX}user:{name}",
            f"{DEVICE_PREFIX}{device_hash}",
            f"{KNOWN_PREFIX}{name}:{place}",
            f"{PREFIX}device:{device_hash}",
        ]

    async def attempt(self, username: str, client: str, device: str | None = None) -> Attempt:
        """Count this attempt (atomically, before any password check) and say if it may go on."""
        keys = self._keys(username, client, device if device and len(device) <= 128 else None)
        name = _hash(normal_name(username))
        args = [str(n) for n in (self.window, self.limit, self.ip_limit, self.name_limit)]
        refused, first, proven = await self.redis.eval(  # type: ignore[misc]
            _ATTEMPT, len(keys), *keys, *args, name
        )
        reason = refused.decode() if isinstance(refused, bytes) else str(refused)
        return Attempt(keys, reason, bool(first), bool(proven))

    async def forget(self, attempt: Attempt) -> None:
        """This attempt had the right password: it does not count against anyone."""
        proven = "1" if attempt.known_device else "0"
        await self.redis.eval(_SUCCEEDED, len(attempt.keys), *attempt.keys, proven)  # type: ignore[misc]

    async def succeeded(self, attempt: Attempt) -> str:
        """Forget this good attempt and remember the place; a new device token for the cookie."""
        await self.forget(attempt)
        token = secrets.token_urlsafe(32)
        name = attempt.keys[2].rsplit(":", 1)[1]
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(attempt.keys[4], 1, ex=KNOWN_SECONDS)
            pipe.set(f"{DEVICE_PREFIX}{_hash(token, 64)}", name, ex=KNOWN_SECONDS)
            if attempt.known_device:
                pipe.delete(attempt.keys[3])  # the old device token is replaced by the new one
            await pipe.execute()
        return token

    async def forget_places(self, username: str) -> None:
        """After a password reset: no device or address is trusted for this name any more."""
        name = _hash(normal_name(username))
        async for key in self.redis.scan_iter(match=f"{KNOWN_PREFIX}{name}:*"):
            await self.redis.delete(key)
        async for key in self.redis.scan_iter(match=f"{DEVICE_PREFIX}*"):
            if await self.redis.get(key) == name.encode():
                await self.redis.delete(key)
