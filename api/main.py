"""The FastAPI application: Twilio gateway (and, later, the practitioners' inbox)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from api.config import Settings, get_settings
from api.db.session import make_engine, make_sessionmaker
from api.deps import AppState
from api.logs import configure_logging
from api.queue import make_pool
from api.routes import conversations, data_rights, dev, health, referrals, twilio


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        queue = await make_pool(settings.redis_url, settings.queue_name)
        http = httpx.AsyncClient()
        app.state.app = AppState(settings, engine, make_sessionmaker(engine), queue, http)
        try:
            yield
        finally:
            await http.aclose()
            await queue.aclose()
            await engine.dispose()

    app = FastAPI(title="Wellbeing assistant gateway", version="0.1.0", lifespan=lifespan)
    app.include_router(twilio.router)
    app.include_router(health.router)
    app.include_router(referrals.router)
    app.include_router(conversations.router)
    app.include_router(data_rights.router)
    if settings.resolved_transport == "console":
        app.include_router(dev.router)
    return app
