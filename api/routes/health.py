"""GET /healthz: each component's state; 200 only when all are up."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import StateDep
from api.understanding import STATUS_KEY

router = APIRouter(tags=["health"])


class Component(BaseModel):
    ok: bool
    #: Why not, when not ok (the exception's name; never its message).
    error: str | None = None
    #: The transport's name (twilio or console).
    name: str | None = None


class Health(BaseModel):
    ok: bool
    #: database, redis, rasa, action_server, worker, urgent_lane, understanding, transport.
    components: dict[str, Component]


async def _database(state: StateDep) -> dict[str, Any]:
    async with state.sessions() as session:
        await session.execute(text("SELECT 1"))
    return {"ok": True}


async def _redis(state: StateDep) -> dict[str, Any]:
    return {"ok": bool(await state.queue.ping())}


async def _http(state: StateDep, url: str) -> dict[str, Any]:
    response = await state.http.get(url, timeout=2)
    return {"ok": response.status_code == 200}


async def _worker(state: StateDep, queue_name: str) -> dict[str, Any]:
    # arq refreshes this key every health_check_interval seconds while a worker runs.
    seen = await state.queue.get(f"{queue_name}:health-check")
    return {"ok": seen is not None}


async def _understanding(state: StateDep) -> dict[str, Any]:
    # Each worker writes what it could load at start-up (api/understanding): the embeddings
    # engine and the semantic safety net. Without them the phrase lists stand alone.
    status = await state.queue.get(STATUS_KEY)
    text = status.decode() if isinstance(status, bytes) else status
    return {"ok": text == "ok", **({} if text == "ok" else {"error": text or "no worker has started"})}


async def _check(name: str, coro: Any) -> tuple[str, dict[str, Any]]:
    try:
        return name, await asyncio.wait_for(coro, timeout=3)
    except (httpx.HTTPError, OSError, TimeoutError) as exc:
        return name, {"ok": False, "error": type(exc).__name__}
    except Exception as exc:  # noqa: BLE001 - a health check reports, it never fails
        return name, {"ok": False, "error": type(exc).__name__}


@router.get(
    "/healthz",
    response_class=JSONResponse,
    responses={
        200: {"model": Health, "description": "Every component is up"},
        503: {"model": Health, "description": "A component is down: which, and why"},
    },
)
async def healthz(state: StateDep) -> JSONResponse:
    settings = state.settings
    results = dict(
        await asyncio.gather(
            _check("database", _database(state)),
            _check("redis", _redis(state)),
            _check("rasa", _http(state, settings.rasa_url.rstrip("/") + "/")),
            _check("action_server", _http(state, settings.action_server_url.rstrip("/") + "/health")),
            _check("worker", _worker(state, settings.queue_name)),
            _check("urgent_lane", _worker(state, settings.urgent_queue_name)),
            _check("understanding", _understanding(state)),
        )
    )
    results["transport"] = {"ok": True, "name": settings.resolved_transport}
    healthy = all(part["ok"] for part in results.values())
    return JSONResponse({"ok": healthy, "components": results}, status_code=200 if healthy else 503)
