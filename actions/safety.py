"""The bot's own crisis signal, a second net beside the gateway's phrase lists.

When the NLU reads a message as crisis_self_harm, the action names the key `safety_check`;
the gateway flags the conversation, hands it to a person and sends the urgent routes, as it
does for a phrase match (api/safety/step.py).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import utter_key


class ActionSafetyCheck(Action):
    def name(self) -> str:
        return "action_safety_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        utter_key(dispatcher, "safety_check")
        return []
