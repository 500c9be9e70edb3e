"""What a worker builds once at start-up and hands to every job."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.bot_client import RasaClient
from api.config import Settings
from api.db.models import utcnow
from api.db.session import make_engine, make_sessionmaker
from api.directory import load_directory, role_names
from api.inbox.hours import OpeningHours, load_hours
from api.languages import load_languages
from api.transports import make_transport
from api.transports.base import Transport
from api.understanding import STATUS_KEY, Understanding
from api.understanding.language import Detector

#: Test-only: seconds to add to the worker's clock for scheduled work (reminders).
TEST_CLOCK_KEY = "test:clock:shift"


@dataclass
class WorkerDeps:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    http: aiohttp.ClientSession
    bot: RasaClient
    transport: Transport
    detector: Detector
    hours: OpeningHours
    understanding: Understanding

    async def now(self) -> datetime:
        """The time for scheduled work. In tests only, shifted by TEST_CLOCK_KEY (seconds in
        Redis), so a test can run "at 10:00" whenever the suite runs; never in production."""
        moment = utcnow()
        if self.settings.environment == "test":
            shift = await self.redis.get(TEST_CLOCK_KEY)
            if shift:
                moment += timedelta(seconds=float(shift))
        return moment


async def build(settings: Settings, redis: ArqRedis) -> WorkerDeps:
    engine = make_engine(settings.database_url)
    http = aiohttp.ClientSession()
    bot = RasaClient(
        http, settings.rasa_url, settings.rasa_token, settings.bot_timeout, settings.action_server_url
    )
    detector = Detector(load_languages(), ignore=role_names(load_directory()))
    # Load the language models now (about a second), not during a resident's first turn.
    await asyncio.to_thread(detector.warm_up)
    understanding = await asyncio.to_thread(Understanding.load, settings.semantic_safety_model)
    await redis.set(STATUS_KEY, understanding.status)
    return WorkerDeps(
        settings,
        engine,
        make_sessionmaker(engine),
        redis,
        http,
        bot,
        make_transport(settings),
        detector,
        load_hours(Path(settings.opening_hours_file)),
        understanding,
    )


async def close(deps: WorkerDeps) -> None:
    await deps.transport.close()
    await deps.http.close()
    await deps.engine.dispose()


def deps_of(ctx: dict[str, Any]) -> WorkerDeps:
    deps: WorkerDeps = ctx["deps"]
    return deps


def backoff(attempt: int, cap: float) -> float:
    """Seconds before retry number `attempt` (1-based): 1, 2, 4, ... up to `cap`."""
    return float(min(cap, 2 ** max(attempt - 1, 0)))
