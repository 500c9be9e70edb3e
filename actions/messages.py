"""Helpers for the response contract shared by all actions."""

from typing import Any, Dict, Optional, Text

from rasa_sdk.executor import CollectingDispatcher


def utter_key(
    dispatcher: CollectingDispatcher,
    key: Text,
    params: Optional[Dict[Text, Any]] = None,
) -> None:
    """Send a catalog key (and optional params) for the gateway to render.

    The payload has the same shape as a ``custom`` response in domain.yml:
    ``{"key": ..., "params": {...}}`` (``params`` omitted when empty).
    """
    message: Dict[Text, Any] = {"key": key}
    if params:
        message["params"] = params
    dispatcher.utter_message(json_message=message)
