"""Human handoff: the resident asked for a person (or typed 0).

The bot only sends the ``human_requested`` key and records the request in the
``handoff_requested`` slot. The worker turns the key into the handoff itself:
ownership, the message with the usual wait or the opening time, the live event for
the inbox (api/worker/handoff.py).
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
