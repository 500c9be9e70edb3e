"""Storing referrals and changing their status, with an audit trail.

A referral is created from the bot's `referral_submit` message, once per draft id: a
second confirmation, a retried turn or a replayed webhook finds the same row.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Contact, Conversation, Referral, ReferralChange, ReferralStatus

#: No 0/O, 1/I/L, U/V, 5/S or 2/Z pairs: easy to read out and type from a phone call.
REFERENCE_ALPHABET = "346789ACDEFGHJKMNPQRTWXY"
REFERENCE_HALF = 3

#: Status changes a practitioner may make: from -> allowed targets.
TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.NEW: frozenset({ReferralStatus.ACCEPTED, ReferralStatus.DECLINED}),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.CLOSED}),
    ReferralStatus.DECLINED: frozenset({ReferralStatus.CLOSED}),
    ReferralStatus.CLOSED: frozenset(),
}
DECLINE_REASONS = ("other_service", "outside_area", "needs_gp", "could_not_contact")


class TransitionRefused(ValueError):
    pass


def new_reference() -> str:
    def part() -> str:
        return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_HALF))

    return f"{part()}-{part()}"


def normalize_reference(text: str) -> str:
    """What a person typed or said ("7kq m4p") as a stored reference ("7KQ-M4P")."""
    compact = "".join(c for c in text.upper() if c.isalnum())
    return f"{compact[:REFERENCE_HALF]}-{compact[REFERENCE_HALF:]}"


async def submit(
    session: AsyncSession,
    contact: Contact,
    conversation: Conversation,
    language: str,
    params: Mapping[str, Any],
    default_area: str,
) -> Referral:
    """The referral for this draft: created now, or the one created before."""
    draft_id = str(params.get("draft_id") or "")
    if not draft_id:
        raise ValueError("referral_submit without a draft id")
    existing = await session.scalar(select(Referral).where(Referral.draft_id == draft_id))
    if existing is not None:
        return existing
    answers = params.get("answers")
    referral = Referral(
        reference=await _free_reference(session),
        draft_id=draft_id,
        contact_id=contact.id,
        conversation_id=conversation.id,
        language=language,
        area=str(params.get("area") or default_area),
        answers=dict(answers) if isinstance(answers, Mapping) else {},
        status=ReferralStatus.NEW.value,
    )
    # One worker at a time handles a conversation (a Redis lock), so no other process stores
    # this draft meanwhile; if one ever did, the unique draft id fails this turn, which is
    # retried and then finds the stored referral above.
    session.add(referral)
    await session.flush()
    session.add(ReferralChange(referral_id=referral.id, action="created", actor="resident"))
    return referral


async def _free_reference(session: AsyncSession) -> str:
    for _attempt in range(20):
        reference = new_reference()
        if await session.scalar(select(Referral.id).where(Referral.reference == reference)) is None:
            return reference
    raise RuntimeError("could not find a free referral reference")


async def latest_for(session: AsyncSession, contact_id: int) -> Referral | None:
    return await session.scalar(
        select(Referral).where(Referral.contact_id == contact_id).order_by(Referral.id.desc()).limit(1)
    )


def change_status(
    session: AsyncSession,
    referral: Referral,
    target: ReferralStatus,
    actor: str,
    reason: str | None = None,
    note: str | None = None,
) -> None:
    current = ReferralStatus(referral.status)
    if target not in TRANSITIONS[current]:
        raise TransitionRefused(f"a {current.value} referral cannot be {target.value}")
    if target == ReferralStatus.DECLINED:
        if reason not in DECLINE_REASONS:
            raise TransitionRefused(f"a decline needs a reason, one of {', '.join(DECLINE_REASONS)}")
        referral.decline_reason = reason
    referral.status = target.value
    session.add(
        ReferralChange(referral_id=referral.id, action=target.value, actor=actor, reason=reason, note=note)
    )


def assign(session: AsyncSession, referral: Referral, to: str, actor: str) -> None:
    if ReferralStatus(referral.status) == ReferralStatus.CLOSED:
        raise TransitionRefused("a closed referral cannot be assigned")
    referral.assigned_to = to
    session.add(ReferralChange(referral_id=referral.id, action="assigned", actor=actor, note=to))
