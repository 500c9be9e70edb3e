"""STOP, START and HELP (api/keywords.py), answered by the worker without the bot.

STOP opts the number out: one confirmation, then nothing more on any channel (the delivery
step holds back everything else). If the resident has an open safety flag or an open
referral, the conversation goes to a person, who can decide on another safe route. Inside
the referral form a bare STOP first stops the questions (the form says so, and that sending
STOP again stops all messages); if the bot cannot be asked, STOP opts out at once.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.bot_client import BotReply, BotUnavailable
from api.conversations import bot_may_answer
from api.db.models import Contact, Conversation, utcnow
from api.rights import opt_out
from api.worker.deps import WorkerDeps

#: What may still be sent to a number that opted out.
ALLOWED_WHEN_OPTED_OUT = frozenset({"optout_confirmed", "keyword_help", "optin_confirmed"})
ALLOWED_PREFIXES = ("safety_",)


def may_send(contact: Contact, catalog_key: str | None) -> bool:
    if contact.opted_out_at is None:
        return True
    key = catalog_key or ""
    return key in ALLOWED_WHEN_OPTED_OUT or key.startswith(ALLOWED_PREFIXES)


async def keyword_replies(
    deps: WorkerDeps, session: AsyncSession, conversation: Conversation, contact: Contact, keyword: str
) -> list[BotReply] | None:
    """The replies to a keyword message, or None when the bot should see it after all."""
    if keyword == "start":
        contact.opted_out_at = None
        return [BotReply("optin_confirmed")]
    if keyword == "help":
        return [BotReply("keyword_help")]
    if contact.opted_out_at is not None:
        return []  # already out: the one confirmation was sent
    if bot_may_answer(conversation):
        try:
            if await deps.bot.active_loop(contact.uid) == "referral_form":
                return None
        except BotUnavailable:
            pass  # STOP must work with the bot down: opt out now
    return [await opt_out(session, conversation, contact, utcnow())]
