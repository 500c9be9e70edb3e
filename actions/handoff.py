"""Human handoff: the resident asked for a person (or typed 0).

For now this only acknowledges the request and records it in the
``handoff_requested`` slot; the handoff itself (conversation ownership,
notifying practitioners) is owned by the gateway and arrives in a later issue.
"""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import utter_key

HUMAN_REQUESTED_KEY = "human_requested"


class ActionRequestHuman(Action):
    """Tell the resident a person will reply and flag the conversation."""

    def name(self) -> str:
        return "action_request_human"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        utter_key(dispatcher, HUMAN_REQUESTED_KEY)
        return [SlotSet("handoff_requested", True)]
