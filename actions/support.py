"""Explaining the support and pointing each person to the right help.

Actions only name roles and needs by id; the gateway writes the words from the service
directory of the resident's area (api/explain.py). So a new area needs no change here.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import utter_key

NEED_PREFIX = "need_"
#: A second need is mentioned when the classifier gives its intent at least this confidence.
SECOND_NEED_CONFIDENCE = 0.2
#: Follow-up questions: about the role just discussed, or about all the support if none was.
ROLE_FACTS = {"ask_cost": "role_access", "ask_duration": "role_how_long", "ask_where": "role_where"}
GENERAL_FACTS = {"ask_cost": "support_free", "ask_duration": "support_how_long", "ask_where": "support_where"}


def roles_in(tracker: Tracker) -> list[str]:
    """Role ids in the latest message, in order, without repeats."""
    found: list[str] = []
    for entity in tracker.latest_message.get("entities", []):
        value = entity.get("value")
        if entity.get("entity") == "role" and isinstance(value, str) and value not in found:
            found.append(value)
    return found


def needs_in(tracker: Tracker) -> list[str]:
    """The need of the latest message, and a second one if the message clearly has two."""
    message = tracker.latest_message
    top = (message.get("intent") or {}).get("name", "")
    needs = [top.removeprefix(NEED_PREFIX)] if top.startswith(NEED_PREFIX) else []
    for ranked in message.get("intent_ranking", [])[1:]:
        name = ranked.get("name", "")
        if name.startswith(NEED_PREFIX) and ranked.get("confidence", 0) >= SECOND_NEED_CONFIDENCE:
            needs.append(name.removeprefix(NEED_PREFIX))
            break
    return needs


class ActionExplainRole(Action):
    """What a role is: who it is for, what happens, where, how long; then offer a referral."""

    def name(self) -> str:
        return "action_explain_role"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        role = next(iter(roles_in(tracker)), None) or tracker.get_slot("role")
        if not role:
            utter_key(dispatcher, "which_role")
            return []
        utter_key(dispatcher, "role_about", {"role": role})
        utter_key(dispatcher, "role_details", {"role": role})
        utter_key(dispatcher, "role_offer", {"role": role})
        return [SlotSet("role", role)]


class ActionCompareRoles(Action):
    def name(self) -> str:
        return "action_compare_roles"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        roles = roles_in(tracker)
        if len(roles) < 2:
            return await ActionExplainRole().run(dispatcher, tracker, domain)
        utter_key(dispatcher, "role_compare", {"role": roles[0], "other": roles[1]})
        utter_key(dispatcher, "offer_referral")
        return [SlotSet("role", roles[0])]


class ActionRoleFact(Action):
    """Is it free, how long, where: about the role just discussed, or about all the support."""

    def name(self) -> str:
        return "action_role_fact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name", "ask_cost")
        role = next(iter(roles_in(tracker)), None) or tracker.get_slot("role")
        if role:
            utter_key(dispatcher, ROLE_FACTS.get(intent, "role_access"), {"role": role})
        else:
            utter_key(dispatcher, GENERAL_FACTS.get(intent, "support_free"))
        utter_key(dispatcher, "offer_referral")
        return [SlotSet("role", role)] if role else []


class ActionAnswerNeed(Action):
    """Reflect the need, suggest the one best-fit help (and a second need's), offer a referral."""

    def name(self) -> str:
        return "action_answer_need"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        needs = needs_in(tracker)
        if not needs:
            utter_key(dispatcher, "ask_what_matters")
            return []
        utter_key(dispatcher, "need_answer", {"need": needs[0]})
        if len(needs) > 1:
            utter_key(dispatcher, "need_also", {"need": needs[1], "first": needs[0]})
        utter_key(dispatcher, "offer_referral")
        return [SlotSet("needs", needs)]
