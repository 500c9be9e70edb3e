"""Bot messages the gateway completes from its database before rendering.

The bot does not store referrals or read them: it sends `referral_submit` (the confirmed
answers) and `referral_status`, and the worker turns them into the resident's answer.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from api.bot_client import BotReply
from api.db.models import Contact, Conversation, Referral
from api.directory import default_area, load_directory
from api.erasure import request_erasure
from api.referrals.store import latest_for, submit

log = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")

#: Keys the worker completes (the rest are rendered as they come).
KEYS = frozenset({"referral_submit", "referral_status", "erasure_request"})


def referral_params(referral: Referral) -> dict[str, str]:
    """What any message about a referral may show: no answers, nothing personal."""
    params = {
        "reference": referral.reference,
        "area": referral.area,
        "created": referral.created_at.date().isoformat(),
    }
    if referral.decline_reason:
        params["reason"] = referral.decline_reason
    return params


async def complete(
    session: AsyncSession, contact: Contact, conversation: Conversation, language: str, reply: BotReply
) -> BotReply:
    if reply.key == "referral_submit":
        try:
            referral = await submit(
                session, contact, conversation, language, reply.params, default_area(load_directory()).area
            )
        except ValueError:
            log.error("the bot sent referral_submit without a draft id")
            return BotReply("fallback")
        log.info("referral %s stored for conversation %s", referral.id, conversation.id)
        return BotReply("referral_sent", referral_params(referral))
    if reply.key == "erasure_request":
        await request_erasure(session, contact)
        log.info("erasure requested for conversation %s", conversation.id)
        return BotReply("erasure_requested")
    if reply.key == "referral_status":
        latest = await latest_for(session, contact.id)
        if latest is None:
            return BotReply("referral_status_none")
        return BotReply(f"referral_status_{latest.status}", referral_params(latest))
    return reply
