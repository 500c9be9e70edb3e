"""Handing a conversation to a person, and back (pure: the caller commits and publishes).

Ownership is explicit (api/conversations.py): bot, waiting, human, resolved. While a
person is waited for or owns it, the bot says nothing and every resident message goes to
the inbox. A resolved conversation goes back to the bot on the next message, or to the
same practitioner if they asked to keep it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from actions.answers import QUESTIONS
from api.bot_client import BotReply
from api.conversations import transition
from api.db.models import Conversation, Owner
from api.inbox.hours import OpeningHours

#: Why a conversation was handed over (shown in the queue).
REASONS = (
    "asked",
    "not_understood",
    "form",
    "safety",
    "stop_open_case",
    "kept",
    "appointment_change",
    "followup_no",
    "followup_help",
    "followup_low",
    "data_copy",
)
#: Bot keys that ask for a person: the bot's own handoff, sent for "0", "human", ....
BOT_HANDOFF_KEYS = frozenset({"human_requested"})


def begin(conversation: Conversation, reason: str, now: datetime) -> bool:
    """Give the conversation to a person; False if a person already has it."""
    assert reason in REASONS, reason
    owner = Owner(conversation.owner)
    if owner in (Owner.WAITING, Owner.HUMAN):
        return False
    if conversation.keep_assigned and conversation.assigned_to_id is not None:
        transition(conversation, Owner.HUMAN)
    else:
        transition(conversation, Owner.WAITING)
        conversation.assigned_to_id = None
    conversation.keep_assigned = False
    conversation.waiting_since = now
    conversation.handoff_reason = reason
    return True


def back_to_person_on_reply(conversation: Conversation, now: datetime) -> bool:
    """A resident writes after "resolved, keep it with me": straight back to that person."""
    if Owner(conversation.owner) != Owner.RESOLVED or not conversation.keep_assigned:
        return False
    return begin(conversation, "kept", now)


def reply_for(hours: OpeningHours, now: datetime) -> BotReply:
    """What the resident is told: the usual wait, or when someone is back (with urgent routes)."""
    if hours.is_open(now):
        return BotReply("handoff_open", {"wait_minutes": int(hours.usual_wait.total_seconds() // 60)})
    return BotReply("handoff_closed", {"opens_at": hours.next_open(now).isoformat()})


def is_misunderstanding(key: str) -> bool:
    return key == "fallback"


def story(slots: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The handoff story from the bot's memory, so nobody has to ask again."""
    answers = {
        slot.removeprefix("ref_"): slots[slot]
        for slot in QUESTIONS
        if slot != "ref_confirm" and slots.get(slot) not in (None, "", [])
    }
    return {
        "at": now.isoformat(),
        "needs": [str(n) for n in slots.get("needs") or []],
        "role": slots.get("role"),
        "referral_answers": answers,
    }
