"""Retention: a daily job that forgets what is no longer needed.

- The bot's memory (its Rasa tracker, with any unfinished referral answers) is deleted once a
  resident has not written for BOT_MEMORY_DAYS (7): unfinished answers are never kept longer.
  The messages stay in the database for the team.
- A resident who has not written for RETENTION_DAYS, with no open referral and no safety
  flag, is removed altogether, as for an erasure request; an anonymous record stays.
  RETENTION_DAYS=0 keeps everything (the default until the service sets its policy).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, select

from api.db.models import Contact, Conversation, ErasureRequest, Referral, ReferralStatus, utcnow
from api.erasure import forget_bot_memory, remove_resident
from api.worker.deps import deps_of

log = logging.getLogger(__name__)


async def purge(ctx: dict[str, Any]) -> dict[str, int]:
    deps = deps_of(ctx)
    settings = deps.settings
    now = utcnow()
    counts = {"bot_memories": 0, "residents": 0}
    async with deps.sessions() as session:
        idle = now - timedelta(days=settings.bot_memory_days)
        uids = await session.scalars(
            select(Contact.uid).join(Conversation).where(Conversation.last_inbound_at < idle)
        )
        for uid in uids:
            counts["bot_memories"] += await forget_bot_memory(deps.redis, uid) > 0
        if settings.retention_days > 0:
            old = now - timedelta(days=settings.retention_days)
            open_referral = exists().where(
                Referral.contact_id == Contact.id,
                Referral.status.in_((ReferralStatus.NEW.value, ReferralStatus.ACCEPTED.value)),
            )
            contacts = await session.scalars(
                select(Contact)
                .join(Conversation)
                .where(Conversation.last_inbound_at < old, Conversation.safety_flag.is_(None), ~open_referral)
            )
            for contact in list(contacts):
                removed = await remove_resident(session, deps.redis, contact)
                session.add(ErasureRequest(status="done", done_at=now, done_by="retention", removed=removed))
                counts["residents"] += 1
            await session.commit()
    log.info("retention: %(bot_memories)d bot memories and %(residents)d residents removed", counts)
    return counts
