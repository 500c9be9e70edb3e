"""Logging set-up. Application logs carry ids and states only: never message bodies,
names, phone numbers or health details."""

from __future__ import annotations

import logging

QUIET = ("twilio.http_client", "httpx", "httpcore", "aiosqlite", "asyncio")


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
