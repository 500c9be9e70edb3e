"""The safety screen's turn: run on every inbound message before anything else.

It does not need Rasa, so it works when the bot is down, and it runs whoever owns the
conversation: a resident in the middle of a form or waiting for a person still gets the
urgent routes at once. The conversation is flagged and goes to a person; only a
practitioner can clear the flag.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from api.bot_client import BotReply
from api.db.models import AuditEvent, Contact, Conversation, Message, utcnow
from api.inbox import handoff
from api.inbox.hours import OpeningHours
from api.languages import load_languages
from api.safety.phrases import Phrase
from api.understanding.language import Detector

log = logging.getLogger(__name__)

#: Most urgent first: a message may match several; the resident gets at most two replies.
PRIORITY = ("immediate_danger", "medical_emergency", "suicide_self_harm", "domestic_abuse", "child_at_risk")
MAX_REPLIES = 2


def categories(hits: list[Phrase]) -> list[str]:
    found = {hit.category for hit in hits}
    return [category for category in PRIORITY if category in found]


def crisis_language(contact: Contact, text: str, hits: list[Phrase], default: str, detector: Detector) -> str:
    """The resident's chosen language; else the message's; else the matched phrases'."""
    languages = load_languages()
    if contact.language_source == "chosen" and contact.language in languages:
        return contact.language
    detected = detector.identify(text, first=contact.language_source is None).language
    if detected is not None:
        return detected
    by_language = Counter(hit.language for hit in hits)
    if contact.language_source is None and len(by_language) == 1:
        return next(iter(by_language))
    return contact.language if contact.language in languages else default


def raise_flag(
    session: AsyncSession, conversation: Conversation, message: Message, found: list[str]
) -> list[BotReply]:
    """Flag the conversation (keeping the most urgent category) and hand it to a person."""
    message.safety = found
    session.add(
        AuditEvent(
            actor="safety screen", action="safety_flag_raised", conversation_id=conversation.id, note=found[0]
        )
    )
    if conversation.safety_flag is None or PRIORITY.index(found[0]) < PRIORITY.index(
        conversation.safety_flag
    ):
        conversation.safety_flag = found[0]
    conversation.safety_flagged_at = utcnow()
    handoff.begin(conversation, "safety", utcnow())
    log.warning("safety flag raised on conversation %s", conversation.id)
    return [BotReply(f"safety_{category}") for category in found[:MAX_REPLIES]]


#: Categories whose reply ends by asking whether texting is safe: nothing more is sent, so
#: as little as possible shows on a phone someone else may read.
QUIET = frozenset({"domestic_abuse"})


def team_line(found: list[str], hours: OpeningHours, now: datetime) -> BotReply | None:
    """When a person will really read this: the usual wait while the team is open, or the
    day and time it opens (with the urgent numbers as the way to get help now)."""
    if not found or found[0] in QUIET:
        return None
    if hours.is_open(now):
        return BotReply("safety_team_open", {"wait_minutes": int(hours.usual_wait.total_seconds() // 60)})
    return BotReply("safety_team_closed", {"opens_at": hours.next_open(now).isoformat()})


#: The bot's key for its own crisis signal (actions/safety.py).
BOT_SIGNAL = "safety_check"
BOT_SIGNAL_CATEGORY = "suicide_self_harm"


def from_bot(
    session: AsyncSession,
    conversation: Conversation,
    message: Message,
    replies: list[BotReply],
    concern: list[str],
) -> list[BotReply]:
    """The bot's replies, its crisis signal turned into the concern message (the emergency
    numbers and a way to a person), unless the semantic net's concern went out already.

    The bot's crisis intent no longer flags a conversation by itself: it caught what it did
    not recognise (debt stories, idioms), and each flag silenced a resident until a person
    was back. The two nets before the bot (phrase lists and meaning) decide the flag."""
    if not any(reply.key == BOT_SIGNAL for reply in replies):
        return replies
    kept = [reply for reply in replies if reply.key != BOT_SIGNAL]
    if concern:
        return kept
    session.add(
        AuditEvent(
            actor="bot", action="safety_concern", conversation_id=conversation.id, note=BOT_SIGNAL_CATEGORY
        )
    )
    return [BotReply("safety_concern"), *kept]
