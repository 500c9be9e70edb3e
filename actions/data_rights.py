"""Data rights: deleting data, a copy of it, and "stop texting me".

Each asks first (data/rules/rights.yml): the resident's YES runs the action here, and the
gateway completes its key from the database (api/rights.py, api/referrals/replies.py): it
records the erasure request, hands a copy request to a person, or opts the number out as
the STOP keyword does. The bot stores none of it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import utter_key


class ActionRequestErasure(Action):
    """After the resident said YES to deleting: the gateway records the request."""

    def name(self) -> str:
        return "action_request_erasure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        utter_key(dispatcher, "erasure_request")
        return []


class ActionDataCopy(Action):
    """What is held and for how long (the gateway knows the retention settings), and
    whether the resident wants a copy."""

    def name(self) -> str:
        return "action_data_copy"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        utter_key(dispatcher, "data_copy")
        return []


class ActionDataCopyRequest(Action):
    """YES to a copy: the gateway hands the conversation to a person, who sends it."""

    def name(self) -> str:
        return "action_data_copy_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        utter_key(dispatcher, "data_copy_request")
        return []


class ActionOptOut(Action):
    """YES to "no more messages": the gateway opts the number out, as for STOP."""

    def name(self) -> str:
        return "action_opt_out"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        utter_key(dispatcher, "optout_request")
        return []
