"""The self-referral around its form: starting, stopping, coming back, finishing.

The answers live in `ref_` slots until the resident confirms. Then action_referral_done
hands them to the gateway as a `referral_submit` message; the gateway stores the referral
(once per draft id, however often it is sent) and answers with its reference.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import answers as a
from actions.messages import utter_key
from actions.referral_form import answers_of

#: Unfinished answers are kept this long, then deleted.
KEEP_DRAFT = timedelta(days=7)
#: Slots besides the answers that belong to one referral.
DRAFT_SLOTS = ("ref_draft_id", "ref_started_at", "ref_area", "ref_outcome", "ref_error", "ref_failures")
OUTCOME_KEYS = {
    "under_16": "ref_under_16",
    "no_agreement": "ref_no_agreement",
    "no_consent": "ref_no_consent",
}


def forget_draft() -> list[EventType]:
    return [SlotSet(slot, None) for slot in (*a.QUESTIONS, *DRAFT_SLOTS)]


def _has_answers(tracker: Tracker) -> bool:
    return any(tracker.get_slot(slot) is not None for slot in a.QUESTIONS)


def _expired(tracker: Tracker, now: datetime) -> bool:
    started = tracker.get_slot("ref_started_at")
    try:
        return started is not None and now - datetime.fromisoformat(str(started)) > KEEP_DRAFT
    except ValueError:
        return True


class ActionStartReferral(Action):
    """Before the form: a new draft with an introduction, or the same draft carried on."""

    def name(self) -> str:
        return "action_start_referral"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        now = datetime.now(a.LONDON)
        events: list[EventType] = [SlotSet("ref_error", None), SlotSet("ref_failures", 0)]
        if tracker.get_slot("ref_draft_id") and _expired(tracker, now):
            utter_key(dispatcher, "ref_expired")
            events = [*forget_draft(), *events]
        elif tracker.get_slot("ref_draft_id") and _has_answers(tracker):
            utter_key(dispatcher, "ref_welcome_back")
            return [*events, SlotSet("ref_outcome", None)]
        utter_key(dispatcher, "ref_intro")
        return [
            *events,
            SlotSet("ref_draft_id", uuid.uuid4().hex),
            SlotSet("ref_started_at", now.isoformat()),
        ]


class ActionReferralStop(Action):
    """STOP during the form: it stops, the answers are kept (for 7 days)."""

    def name(self) -> str:
        return "action_referral_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        utter_key(dispatcher, "ref_stopped")
        return [SlotSet("ref_error", None), SlotSet("ref_failures", 0)]


class ActionReferralResumePrompt(Action):
    """The resident came back to an unfinished form after a while (the gateway says so)."""

    def name(self) -> str:
        return "action_referral_resume_prompt"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        utter_key(dispatcher, "ref_resume_prompt")
        return [SlotSet("ref_error", None), SlotSet("ref_failures", 0)]


class ActionReferralDiscard(Action):
    def name(self) -> str:
        return "action_referral_discard"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        utter_key(dispatcher, "ref_discarded")
        return forget_draft()


class ActionReferralDone(Action):
    """After the form: send the confirmed answers to the gateway, or say why not."""

    def name(self) -> str:
        return "action_referral_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        outcome = tracker.get_slot("ref_outcome")
        if outcome in OUTCOME_KEYS:
            utter_key(dispatcher, OUTCOME_KEYS[outcome])
        elif tracker.get_slot("ref_confirm") == "yes" and tracker.get_slot("ref_draft_id"):
            utter_key(
                dispatcher,
                "referral_submit",
                {
                    "draft_id": tracker.get_slot("ref_draft_id"),
                    "area": tracker.get_slot("ref_area"),
                    "answers": answers_of(tracker),
                },
            )
        else:
            utter_key(dispatcher, "anything_else")
        return forget_draft()


class ActionReferralStatus(Action):
    """The gateway answers from the stored referral (the bot does not see it)."""

    def name(self) -> str:
        return "action_referral_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        utter_key(dispatcher, "referral_status")
        return []
