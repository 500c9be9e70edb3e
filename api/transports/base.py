"""The transport interface: how a rendered message leaves the building."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from api.db.models import Channel


@dataclass(frozen=True)
class Outgoing:
    to: str  # E.164
    channel: Channel
    body: str
    status_callback: str | None = None
    #: An approved WhatsApp template (ContentSid) and its variables, sent instead of `body`.
    content_sid: str | None = None
    content_variables: str | None = None


@dataclass(frozen=True)
class SendResult:
    sid: str
    status: str  # a Twilio MessageStatus value, for example "queued"


class SendError(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


class TransientSendError(SendError):
    """The provider surely did not take the message (refused connection, 429, 5xx): retry."""


class PermanentSendError(SendError):
    """The provider refused the message for good (bad number, blocked, opted out)."""


class AmbiguousSendError(SendError):
    """The request may have reached the provider (for example a read timeout).

    Never resend blindly: look for the message with `find_sent` first.
    """


class Transport(Protocol):
    name: str

    async def send(self, message: Outgoing) -> SendResult: ...

    async def find_sent(
        self, message: Outgoing, since: datetime, known: frozenset[str] = frozenset()
    ) -> SendResult | None:
        """The provider's record of this message if an earlier attempt reached it. `known`: the
        provider ids of our other messages, never this one's (the same words sent twice)."""
        ...

    async def close(self) -> None: ...
