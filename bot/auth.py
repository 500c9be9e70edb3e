"""A bearer token on a Sanic app: how Rasa's server and the action server ask for credentials.

Both launchers (bot/serve.py, bot/serve_actions.py) read their token from the environment,
never from the command line (which every local user can read in /proc/<pid>/cmdline), and add
one request middleware that refuses, with 401, any request without
`Authorization: Bearer <token>`, before any route runs. Only the paths given as open (the
liveness probes, which say nothing but "up") answer without it.
"""

from __future__ import annotations

import hmac
import os
import sys
from collections.abc import Awaitable, Callable, Iterable
from typing import Any


def token_from_environment(name: str, what: str) -> str:
    """The token in environment variable `name`; exit if it is missing, or weak in production."""
    token = os.environ.get(name, "")
    if not token:
        sys.exit(f"{name} is not set: {what} refuses to start without it.")
    if os.environ.get("ENVIRONMENT") == "production":
        from secret_strength import weakness

        if reason := weakness(token):
            sys.exit(f"{name} {reason}; production needs a long random one.")
    return token


def bearer_matches(header: str | None, token: str) -> bool:
    if not header:
        return False
    scheme, _, value = header.strip().partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())


def require_token(app: Any, token: str, open_paths: Iterable[str] = ()) -> Callable[[Any], Awaitable[Any]]:
    """Refuse every request to `app` without the bearer token, except on `open_paths`."""
    from sanic import response

    unguarded = frozenset(open_paths)

    async def check_token(request: Any) -> Any:
        if request.path in unguarded or bearer_matches(request.headers.get("authorization"), token):
            return None
        return response.json(
            {"error": "NotAuthenticated", "message": "a bearer token is needed"},
            status=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    app.register_middleware(check_token, "request")
    return check_token
