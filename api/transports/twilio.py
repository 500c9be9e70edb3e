"""Twilio transport, through the official SDK's asynchronous client."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from api.config import Settings
from api.db.models import Channel
from api.transports.base import (
    AmbiguousSendError,
    Outgoing,
    PermanentSendError,
    SendResult,
    TransientSendError,
)

# The SDK logs request parameters (numbers and message bodies) at INFO: keep them out.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)


def _address(channel: Channel, number: str) -> str:
    return f"whatsapp:{number}" if channel == Channel.WHATSAPP else number


class TwilioTransport:
    name = "twilio"

    def __init__(self, settings: Settings) -> None:
        # No automatic retries in the HTTP client: a retried POST could send a text twice.
        # Retries happen in the job, which first checks whether the provider already has it.
        self._http = AsyncTwilioHttpClient(timeout=15)
        self._client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=self._http)
        if settings.twilio_api_base_url:
            self._client.api.base_url = settings.twilio_api_base_url.rstrip("/")
        self._from = {Channel.SMS: settings.twilio_from_sms, Channel.WHATSAPP: settings.twilio_from_whatsapp}

    def _sender(self, channel: Channel) -> str:
        return _address(channel, self._from[channel])

    async def send(self, message: Outgoing) -> SendResult:
        kwargs: dict[str, str] = {
            "to": _address(message.channel, message.to),
            "from_": self._sender(message.channel),
            "body": message.body,
        }
        if message.status_callback:
            kwargs["status_callback"] = message.status_callback
        if message.content_sid:
            # Outside WhatsApp's 24-hour window only an approved template may go.
            del kwargs["body"]
            kwargs["content_sid"] = message.content_sid
            if message.content_variables:
                kwargs["content_variables"] = message.content_variables
        try:
            created = await self._client.messages.create_async(**kwargs)
        except TwilioRestException as exc:
            code = str(exc.code or exc.status)
            if exc.status == 429 or exc.status >= 500:
                raise TransientSendError(code, f"HTTP {exc.status}") from exc
            raise PermanentSendError(code, f"HTTP {exc.status}") from exc
        except aiohttp.ClientConnectorError as exc:
            raise TransientSendError("connect", type(exc).__name__) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise AmbiguousSendError("io", type(exc).__name__) from exc
        return SendResult(sid=str(created.sid), status=str(created.status or "queued"))

    async def find_sent(
        self, message: Outgoing, since: datetime, known: frozenset[str] = frozenset()
    ) -> SendResult | None:
        try:
            found = await self._client.messages.list_async(
                to=_address(message.channel, message.to),
                from_=self._sender(message.channel),
                date_sent_after=since - timedelta(minutes=1),
                limit=50,
            )
        except (TwilioRestException, aiohttp.ClientError, TimeoutError) as exc:
            raise TransientSendError("lookup", type(exc).__name__) from exc
        for item in found:
            if item.body == message.body and str(item.sid) not in known:
                return SendResult(sid=str(item.sid), status=str(item.status or "queued"))
        return None

    async def close(self) -> None:
        await self._http.close()
