"""`rasa run actions`, answering Rasa only (bot/run-actions.sh).

The action server runs our actions for whoever calls its /webhook, with whatever tracker the
caller sends, and it binds to every address unless told otherwise. So:

- it binds to SANIC_HOST, which bot/run-actions.sh sets from ACTIONS_HOST (default loopback);
- every request but the liveness probe `/health` needs `Authorization: Bearer
  <ACTION_SERVER_TOKEN>` (bot/auth.py). Rasa sends it: bot/endpoints.yml gives the action
  endpoint that header, read from the same variable. The token is read from the environment,
  never the command line.

    python -m bot.serve_actions --actions actions --port 5055 (the arguments of `rasa run actions`)
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from bot.auth import require_token, token_from_environment

#: The liveness probe (scripts/stack.py, the worker's check before a turn) answers without it.
OPEN_PATHS = ("/health",)


def install_token(token: str) -> None:
    """rasa_sdk.endpoint.run builds its app with create_app from its own module: wrap that one."""
    import rasa_sdk.endpoint

    original = rasa_sdk.endpoint.create_app

    @functools.wraps(original)
    def create_app(*args: Any, **kwargs: Any) -> Any:
        app = original(*args, **kwargs)
        require_token(app, token, OPEN_PATHS)
        return app

    rasa_sdk.endpoint.create_app = create_app


def main() -> None:
    token = token_from_environment("ACTION_SERVER_TOKEN", "The action server")
    install_token(token)
    from rasa_sdk.__main__ import main as sdk_main

    sys.argv = ["rasa_sdk", *sys.argv[1:]]
    sdk_main()


if __name__ == "__main__":
    main()
