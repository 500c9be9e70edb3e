"""The FastAPI application: Twilio gateway (and, later, the practitioners' inbox)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request, Response, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.config import Settings, get_settings
from api.db.session import make_engine, make_sessionmaker
from api.deps import AppState
from api.gateway.intake import Intake
from api.inbox.access import LoginNeeded
from api.inbox.pages import HERE as INBOX_DIR
from api.inbox.pages import render
from api.logs import configure_logging
from api.queue import make_pool
from api.routes import (
    appointments,
    conversations,
    data_rights,
    dev,
    health,
    inbox_actions,
    inbox_appointments,
    inbox_auth,
    inbox_pages,
    referrals,
    twilio,
)


async def _to_login(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/inbox/login", status.HTTP_303_SEE_OTHER)


async def _inbox_errors(request: Request, exc: Exception) -> Response:
    """A browser on an inbox page gets a page with a way on; API clients get JSON."""
    assert isinstance(exc, StarletteHTTPException)
    wants_html = "text/html" in request.headers.get("accept", "")
    if request.url.path.startswith("/inbox") and wants_html and exc.status_code == 401:
        return RedirectResponse("/inbox/login", status.HTTP_303_SEE_OTHER)
    if request.url.path.startswith("/inbox") and wants_html:
        return render(request, "error.html", {"staff": None, "message": exc.detail}, exc.status_code)
    return await http_exception_handler(request, exc)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        queue = await make_pool(settings.redis_url, settings.queue_name)
        http = httpx.AsyncClient()
        app.state.app = AppState(
            settings,
            engine,
            make_sessionmaker(engine),
            queue,
            http,
            Intake(engine, queue, settings.urgent_queue_name),
        )
        try:
            yield
        finally:
            await http.aclose()
            await queue.aclose()
            await engine.dispose()

    # No interactive docs or schema in production: they map every route for a visitor.
    public_docs = settings.environment != "production"
    app = FastAPI(
        title="Wellbeing assistant gateway",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if public_docs else None,
        redoc_url="/redoc" if public_docs else None,
        openapi_url="/openapi.json" if public_docs else None,
    )
    app.include_router(twilio.router)
    app.include_router(health.router)
    app.include_router(referrals.router)
    app.include_router(appointments.router)
    app.include_router(conversations.router)
    app.include_router(data_rights.router)
    app.include_router(inbox_auth.router)
    app.include_router(inbox_pages.router)
    app.include_router(inbox_actions.router)
    app.include_router(inbox_appointments.router)
    app.mount("/inbox/static", StaticFiles(directory=INBOX_DIR / "static"), name="inbox-static")
    app.add_exception_handler(LoginNeeded, _to_login)
    app.add_exception_handler(StarletteHTTPException, _inbox_errors)
    if settings.resolved_transport == "console":
        app.include_router(dev.router)
    app.add_middleware(SecurityHeaders, https=settings.cookie_secure)
    return app


#: Served over https (PUBLIC_BASE_URL), browsers must use https for a year, subdomains too.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
NOSNIFF = (b"x-content-type-options", b"nosniff")
CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")


class SecurityHeaders:
    """On every answer: nosniff, a no-content CSP unless it is a page, and HSTS when served
    over https. (Inbox pages set their own policy and the rest, api/inbox/pages.py.) A plain
    ASGI wrapper: a few headers, no per-request task."""

    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app = app
        self.extra = [HSTS] if https else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if NOSNIFF[0] not in names:
                    headers.append(NOSNIFF)
                # Anything but a page (JSON, files, redirects) may never run or frame anything;
                # pages set their own policy (the inbox's) or are the development-only /docs.
                kind = next((value for name, value in headers if name.lower() == b"content-type"), b"")
                if CSP[0] not in names and not kind.startswith(b"text/html"):
                    headers.append(CSP)
                message["headers"] = [*headers, *self.extra]
            await send(message)

        await self.app(scope, receive, with_headers)
