"""`rasa run`, with its token from the environment and a cheaper check of action answers (bot/run.sh).

Token. Rasa's REST channel (/webhooks/rest/webhook) has no authentication of its own, and
`--auth-token` (for the HTTP API) puts the token on the command line, which every local user can
read. So the token comes from RASA_TOKEN in the environment, and one request middleware
(bot/auth.py) asks every request for `Authorization: Bearer <RASA_TOKEN>`: the REST channel and
the HTTP API (/conversations/..., /model/...) alike. Only `/`, the liveness probe ("Hello from
Rasa"), answers without it. The HTTP API is enabled here, without Rasa's own `?token=` check
(a token in a query string ends up in logs); the middleware runs before it.

Action answers. After every custom action Rasa checks the action server's answer against a JSON schema with
`jsonschema.validate()`, which checks the schema itself against JSON Schema's meta-schema and
builds a validator, each time: 1.90 ms a call with the pinned jsonschema 3.2.0, against 0.42 ms
with a validator built once (bench/turns.py; a whole turn 13% faster on the mean). Nothing in
Rasa's settings changes that, so `rasa run` is started from here with the check replaced by
the same check on a validator built once: the same schema, the same error, the same message.

    python -m bot.serve run --model ... (the arguments of `rasa`)
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from bot.auth import require_token, token_from_environment

#: Paths that answer without the token: the liveness probe (scripts/stack.py, the gateway's
#: /healthz), which says only that Rasa is up.
OPEN_PATHS = ("/",)


@functools.cache
def _validator() -> Any:
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(action: Any, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, with the validator built once."""
    import jsonschema
    from rasa.shared.constants import DOCS_BASE_URL

    error = jsonschema.exceptions.best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from "
        f"the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def install_token(token: str) -> None:
    """Every app `rasa run` builds asks for the token (rasa.core.run.serve_application calls
    configure_app through the module, so the wrapped one is used)."""
    import rasa.core.run

    original = rasa.core.run.configure_app

    @functools.wraps(original)
    def configure_app(*args: Any, **kwargs: Any) -> Any:
        app = original(*args, **kwargs)
        require_token(app, token, OPEN_PATHS)
        return app

    rasa.core.run.configure_app = configure_app


def main() -> None:
    token = token_from_environment("RASA_TOKEN", "Rasa's REST channel and HTTP API")
    args = sys.argv[1:]
    if any(arg.startswith("--auth-token") for arg in args):
        sys.exit("bot/serve.py: give the token in RASA_TOKEN, not on the command line")
    install()
    install_token(token)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *args, *([] if "--enable-api" in args else ["--enable-api"])]
    rasa_main()


if __name__ == "__main__":
    main()
