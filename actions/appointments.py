""" "When is my appointment?": the gateway answers from the appointments practitioners book.

The action server holds no appointments and never reaches the database: it sends the key
`appointment_when`, and the worker completes it with the next appointment, written in the
resident's language and London time, or says none is booked and offers a person
(api/rights.py).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import utter_key


class ActionAppointmentWhen(Action):
    def name(self) -> str:
        return "action_appointment_when"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        utter_key(dispatcher, "appointment_when")
        return []
