"""`rasa run`, with Rasa's check of the action server's answers made cheaper (bot/run.sh).

After every custom action Rasa checks the action server's answer against a JSON schema with
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


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
