"""Console transport (development and tests): the database row is the record.

Sent messages are read back with `GET /dev/outbox?to=<E.164>`.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from api.transports.base import Outgoing, SendResult


class ConsoleTransport:
    name = "console"

    async def send(self, message: Outgoing) -> SendResult:
        return SendResult(sid="CO" + secrets.token_hex(16), status="sent")

    async def find_sent(
        self, message: Outgoing, since: datetime, known: frozenset[str] = frozenset()
    ) -> SendResult | None:
        # A console "send" is only the status change on the row, so an interrupted one
        # never reached anyone: sending again is right.
        return None

    async def close(self) -> None:
        return None
