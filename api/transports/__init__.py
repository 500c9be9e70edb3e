"""Transports: console (development and tests) and Twilio."""

from __future__ import annotations

from api.config import Settings
from api.transports.base import Transport


def make_transport(settings: Settings) -> Transport:
    if settings.resolved_transport == "twilio":
        from api.transports.twilio import TwilioTransport

        return TwilioTransport(settings)
    from api.transports.console import ConsoleTransport

    return ConsoleTransport()
