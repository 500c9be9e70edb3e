"""Request bodies limited before they are read, per router (or per route).

`await request.body()` reads a body whole, whatever its size: a 400 MiB POST grew a gateway
process to 917 MB before it was answered 413. A route built with `limited_route(n)` instead

- answers 413 at once when Content-Length is over n, reading nothing;
- otherwise reads the body as a stream and stops at n + 1 bytes (413), so a chunked body with no
  Content-Length costs at most n bytes of memory;
- answers nothing, and logs one INFO line (the path only, never the body), when the client goes
  away before its body is complete: not an ERROR with a traceback.

The route then sees the body as usual (`request.body()`, `request.form()`, FastAPI's Form and
Body parameters), from the bytes already read.

Use: `APIRouter(route_class=limited_route(8 * 1024))` for every route of a router, or
`router.add_api_route(path, endpoint, methods=["POST"], route_class_override=limited_route(n))`
for one route.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect

log = logging.getLogger(__name__)

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class _BodyTooLarge(Exception):
    pass


class _ReadRequest(Request):
    """A request whose body was already read (within the limit): every reader gets those bytes."""

    def __init__(self, request: Request, body: bytes) -> None:
        super().__init__(request.scope, request.receive)
        self._read_body = body

    async def stream(self) -> AsyncGenerator[bytes, None]:
        yield self._read_body
        yield b""

    async def body(self) -> bytes:
        return self._read_body


def too_large() -> Response:
    # Connection: close, as the rest of the body is never read.
    return Response(
        "Request too large.", status_code=413, media_type="text/plain", headers={"connection": "close"}
    )


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, read as a stream; _BodyTooLarge past `limit` bytes (before reading any when the
    declared Content-Length is already over). ClientDisconnect if the client goes away."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def limited_route(limit: int) -> type[APIRoute]:
    """An APIRoute class whose requests' bodies may be at most `limit` bytes."""

    class LimitedRoute(APIRoute):
        max_body_bytes = limit

        def get_route_handler(self) -> Handler:
            handler = super().get_route_handler()

            async def limited(request: Request) -> Response:
                try:
                    body = await read_limited(request, limit)
                except _BodyTooLarge:
                    log.warning("refused a body over %d bytes on %s", limit, request.url.path)
                    return too_large()
                except ClientDisconnect:
                    log.info("a client went away on %s before its body was complete", request.url.path)
                    return Response(status_code=400)  # nobody is left to read it
                return await handler(_ReadRequest(request, body))

            return limited

    return LimitedRoute
