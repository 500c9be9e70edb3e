"""Request dependencies, as Annotated aliases (the full-stack-fastapi-template way)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

import httpx
from arq.connections import ArqRedis
from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.config import Settings
from api.gateway.intake import Intake


@dataclass
class AppState:
    """What the gateway builds once at start-up and closes at shutdown."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    queue: ArqRedis
    http: httpx.AsyncClient
    intake: Intake


# Dependencies that only read what is at hand are `async def`: FastAPI runs a plain `def` one
# in a thread pool, a thread hop per request (6% of the gateway's CPU under load, py-spy).
async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.app
    return state


async def get_session(state: Annotated[AppState, Depends(get_state)]) -> AsyncIterator[AsyncSession]:
    async with state.sessions() as session:
        yield session


async def get_settings(state: Annotated[AppState, Depends(get_state)]) -> Settings:
    return state.settings


#: The largest id a row can have (PostgreSQL's INTEGER; SQLite's are wider). An id outside
#: 1..MAX_ID in a request is refused with 422 before the database sees it: the driver would
#: fail on it (a 500), not find nothing.
MAX_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="An id, from 1 to 2147483647")]

StateDep = Annotated[AppState, Depends(get_state)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


_bearer = HTTPBearer(auto_error=False)


async def require_practitioner(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    expected = settings.practitioner_api_token
    given = credentials.credentials if credentials else ""
    if not expected or not secrets.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "A practitioner token is needed (Authorization: Bearer ...).",
            headers={"WWW-Authenticate": "Bearer"},
        )
