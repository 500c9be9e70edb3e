"""Helpers for the response contract shared by all actions."""

from typing import Any

from rasa_sdk.executor import CollectingDispatcher


def utter_key(
    dispatcher: CollectingDispatcher,
    key: str,
    params: dict[str, Any] | None = None,
) -> None:
    """Send a catalog key (and optional params) for the gateway to render.

    The payload has the same shape as a ``custom`` response in domain.yml:
    ``{"key": ..., "params": {...}}`` (``params`` omitted when empty).
    """
    message: dict[str, Any] = {"key": key}
    if params:
        message["params"] = params
    dispatcher.utter_message(json_message=message)
