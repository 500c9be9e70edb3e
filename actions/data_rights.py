"""The resident asks for their data to be deleted; the gateway records the request."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import utter_key


class ActionRequestErasure(Action):
    def name(self) -> str:
        return "action_request_erasure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # Completed by the gateway (api/referrals/replies.py): it stores the request.
        utter_key(dispatcher, "erasure_request")
        return []
