"""Live inbox events over Redis pub/sub, so every gateway process hears every change.

An event names what changed and where, never what was said: the page fetches the
change itself, through the same permission checks as any other request.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis

log = logging.getLogger(__name__)

CHANNEL = "inbox:events"
#: handoff: a conversation now waits for a person; message: a resident wrote while a person
#: owns it; status: a delivery status changed; owner: claimed, handed back, resolved;
#: note: a private note; flag: a safety flag raised or cleared; reminder: an answer to a
#: reminder or follow-up; appointment: booked, moved or cancelled; session: someone logged
#: out (every open stream checks its own session at once; not passed on to pages).
KINDS = {"handoff", "message", "status", "owner", "note", "flag", "reminder", "appointment", "session"}


async def publish(redis: Redis, kind: str, conversation_id: int, **extra: Any) -> None:
    """Tell open inboxes; a Redis failure only delays the page (it also polls)."""
    assert kind in KINDS, kind
    try:
        await redis.publish(CHANNEL, json.dumps({"kind": kind, "conversation_id": conversation_id, **extra}))
    except Exception:  # noqa: BLE001 - live updates are a convenience, never a reason to fail
        log.warning("could not publish an inbox %s event", kind)


async def listen(redis: Redis, ping: float = 15.0) -> AsyncIterator[dict[str, Any]]:
    """Every event, and a {"kind": "ping"} after `ping` seconds without one."""
    async with redis.pubsub(ignore_subscribe_messages=True) as pubsub:
        await pubsub.subscribe(CHANNEL)
        while True:
            message = await pubsub.get_message(timeout=ping)
            if message is None:
                yield {"kind": "ping"}
                continue
            try:
                yield json.loads(message["data"])
            except (TypeError, ValueError):
                continue
