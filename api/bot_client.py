"""Talking to the Rasa server over HTTP (its REST channel and its tracker API).

Rasa answers with catalog keys (`{"custom": {"key": ..., "params": {...}}}`); rendering
happens in the gateway. This module never imports Rasa.

Every request but the liveness probe carries `Authorization: Bearer <RASA_TOKEN>`: Rasa refuses
anything without it (bot/serve.py). A header, not Rasa's `?token=`, which logs would keep.

aiohttp, not httpx: two requests per turn, and httpx was 15% of a worker's CPU under load
(py-spy); aiohttp (already here for the twilio SDK) costs less per request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


class BotUnavailable(Exception):
    """Rasa could not be reached, failed, or took too long."""


@dataclass(frozen=True)
class BotReply:
    key: str
    params: dict[str, Any] = field(default_factory=dict)


def _reply_from(payload: Any) -> BotReply | None:
    if not isinstance(payload, dict):
        return None
    custom = payload.get("custom")
    if isinstance(custom, dict) and isinstance(custom.get("key"), str):
        params = custom.get("params")
        return BotReply(custom["key"], params if isinstance(params, dict) else {})
    if payload.get("text"):
        # Domain responses must be catalog keys; plain text means a mistake in the domain.
        log.error("the bot sent plain text instead of a catalog key")
        return BotReply("fallback")
    return None


#: What a failed request raises: no connection, a timeout, an HTTP error status, bad JSON.
FAILED = (aiohttp.ClientError, TimeoutError, ValueError)
SHORT = aiohttp.ClientTimeout(total=2)


class RasaClient:
    def __init__(
        self, http: aiohttp.ClientSession, base_url: str, token: str, timeout: float, actions_url: str = ""
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._auth = {"Authorization": f"Bearer {token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._actions = actions_url.rstrip("/")

    async def _get_json(self, url: str, params: dict[str, str]) -> Any:
        async with self._http.get(url, params=params, headers=self._auth, timeout=self._timeout) as response:
            response.raise_for_status()
            return await response.json(content_type=None)

    async def ensure_actions_up(self) -> None:
        """Raise BotUnavailable if the action server is down.

        When it is, Rasa still answers but silently drops the custom action's messages, so the
        turn must not be sent; it waits, like a turn for a Rasa that is down. Asked before every
        turn (about a millisecond on loopback): a cached answer would hide a fresh failure.
        """
        if not self._actions:
            return
        try:
            async with self._http.get(f"{self._actions}/health", timeout=SHORT) as response:
                status = response.status
        except FAILED as exc:
            raise BotUnavailable(f"action server: {type(exc).__name__}") from exc
        if status != 200:
            raise BotUnavailable(f"action server: HTTP {status}")

    async def turn(
        self, sender: str, text: str, message_id: int, language: str, embedding: str | None = None
    ) -> list[BotReply]:
        metadata = {"message_id": str(message_id), "language": language}
        if embedding is not None:
            # Already computed for the safety screen: the bot's featurizer uses it as it is.
            metadata["embedding"] = embedding
        body = {"sender": sender, "message": text, "metadata": metadata}
        try:
            async with self._http.post(
                f"{self._base}/webhooks/rest/webhook", json=body, headers=self._auth, timeout=self._timeout
            ) as response:
                response.raise_for_status()
                data = await response.json(content_type=None)
        except FAILED as exc:
            raise BotUnavailable(type(exc).__name__) from exc
        if not isinstance(data, list):
            raise BotUnavailable("unexpected answer")
        return [reply for item in data if (reply := _reply_from(item)) is not None]

    async def replies_already_given(self, sender: str, message_id: int) -> list[BotReply] | None:
        """The bot's replies to this message if Rasa already handled it, else None.

        Used before asking again after a failure or timeout, so that a message Rasa did
        handle is never answered twice.
        """
        try:
            tracker = await self._get_json(
                f"{self._base}/conversations/{sender}/tracker",
                {"include_events": "ALL"},
            )
            events = tracker.get("events") or []
        except (*FAILED, AttributeError) as exc:
            raise BotUnavailable(type(exc).__name__) from exc
        wanted = str(message_id)
        found = False
        replies: list[BotReply] = []
        for event in events:
            kind = event.get("event")
            if kind == "user":
                if found:
                    break
                found = (event.get("metadata") or {}).get("message_id") == wanted
            elif found and kind == "bot":
                reply = _reply_from(event.get("data") or {})
                if reply is None and event.get("text"):
                    reply = BotReply("fallback")
                if reply is not None:
                    replies.append(reply)
        return replies if found else None

    async def _tracker(self, sender: str) -> dict[str, Any]:
        try:
            tracker = await self._get_json(
                f"{self._base}/conversations/{sender}/tracker",
                {"include_events": "NONE"},
            )
        except FAILED as exc:
            raise BotUnavailable(type(exc).__name__) from exc
        if not isinstance(tracker, dict):
            raise BotUnavailable("tracker is not an object")
        return tracker

    async def active_loop(self, sender: str) -> str | None:
        """The form the bot is in for this sender (for example "referral_form"), if any."""
        loop = (await self._tracker(sender)).get("active_loop") or {}
        name = loop.get("name") if isinstance(loop, dict) else None
        return name if isinstance(name, str) else None

    async def slots(self, sender: str) -> dict[str, Any]:
        """What the bot remembers about this sender (its slots), for the handoff story."""
        slots = (await self._tracker(sender)).get("slots") or {}
        return slots if isinstance(slots, dict) else {}

    async def is_up(self) -> bool:
        try:
            async with self._http.get(f"{self._base}/", timeout=SHORT) as response:
                return response.status == 200
        except FAILED:
            return False
