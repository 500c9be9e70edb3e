"""Residents' data rights: erasure on request, and export of everything held.

"Delete my data" (the bot's delete_data intent, any language) records an erasure request
for an admin. Carrying it out removes the resident's rows from the database (messages,
referrals and their history, audit events, the conversation, the contact) and their Rasa
tracker and lock from Redis; only the anonymous request row stays. Erasure is the one
place that removes audit events: a legal duty outranks the append-only rule, so it uses a
plain DELETE statement rather than the ORM (whose hooks refuse it).
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import (
    Appointment,
    AuditEvent,
    Contact,
    Conversation,
    ErasureRequest,
    Message,
    Note,
    Referral,
    ReferralChange,
    Reminder,
    utcnow,
)

#: Rasa's keys for a sender (bot/endpoints.yml: key_prefix rasa).
RASA_KEYS = ("rasa:tracker:{uid}", "rasa:lock:{uid}")


async def request_erasure(session: AsyncSession, contact: Contact) -> ErasureRequest:
    """One pending request per resident, however often they ask."""
    mine = ErasureRequest.contact_id == contact.id
    pending = await session.scalar(select(ErasureRequest).where(mine, ErasureRequest.status == "pending"))
    if pending is not None:
        return pending
    request = ErasureRequest(contact_id=contact.id)
    session.add(request)
    await session.flush()
    return request


async def export(session: AsyncSession, contact: Contact) -> dict[str, Any]:
    """Everything held about a resident, for a subject access request."""
    conversation = await session.scalar(select(Conversation).where(Conversation.contact_id == contact.id))
    messages: list[Message] = []
    if conversation is not None:
        query = select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
        messages = list(await session.scalars(query))
    referrals = await session.scalars(select(Referral).where(Referral.contact_id == contact.id))
    appointments = await session.scalars(select(Appointment).where(Appointment.contact_id == contact.id))
    reminders = await session.scalars(select(Reminder).where(Reminder.contact_id == contact.id))
    notes: list[Note] = []
    if conversation is not None:
        notes = list(await session.scalars(select(Note).where(Note.conversation_id == conversation.id)))
    return {
        "contact": {"phone": contact.phone, "language": contact.language, "created_at": contact.created_at},
        "conversation": None if conversation is None else {"channel": conversation.channel},
        "messages": [
            {"at": m.created_at, "direction": m.direction, "channel": m.channel, "body": m.body}
            for m in messages
        ],
        "referrals": [
            {"reference": r.reference, "status": r.status, "created_at": r.created_at, "answers": r.answers}
            for r in referrals
        ],
        "appointments": [
            {
                "starts_at": a.starts_at,
                "kind": a.kind,
                "place": a.place,
                "with": a.with_whom,
                "status": a.status,
            }
            for a in appointments
        ],
        "reminders": [
            {"kind": r.kind, "due_at": r.due_at, "status": r.status, "answer": r.answer} for r in reminders
        ],
        "notes": [{"at": n.created_at, "by": n.author_name, "body": n.body} for n in notes],
    }


async def carry_out(session: AsyncSession, redis: Redis, request: ErasureRequest, by: str) -> dict[str, int]:
    contact = await session.get(Contact, request.contact_id) if request.contact_id else None
    request.contact_id = None
    await session.flush()
    removed = await remove_resident(session, redis, contact) if contact is not None else {}
    request.status, request.done_at, request.done_by, request.removed = "done", utcnow(), by, removed
    await session.commit()
    return removed


async def remove_resident(session: AsyncSession, redis: Redis, contact: Contact) -> dict[str, int]:
    """Delete every row about a resident, and the bot's memory of them. The caller commits."""
    conversation_ids = list(
        await session.scalars(select(Conversation.id).where(Conversation.contact_id == contact.id))
    )
    referral_ids = list(await session.scalars(select(Referral.id).where(Referral.contact_id == contact.id)))
    await session.execute(
        update(ErasureRequest).where(ErasureRequest.contact_id == contact.id).values(contact_id=None)
    )
    steps = [
        ("reminders", delete(Reminder).where(Reminder.contact_id == contact.id)),
        ("appointments", delete(Appointment).where(Appointment.contact_id == contact.id)),
        ("referral_changes", delete(ReferralChange).where(ReferralChange.referral_id.in_(referral_ids))),
        ("referrals", delete(Referral).where(Referral.id.in_(referral_ids))),
        ("messages", delete(Message).where(Message.conversation_id.in_(conversation_ids))),
        ("notes", delete(Note).where(Note.conversation_id.in_(conversation_ids))),
        ("audit_events", delete(AuditEvent).where(AuditEvent.conversation_id.in_(conversation_ids))),
        ("conversations", delete(Conversation).where(Conversation.id.in_(conversation_ids))),
        ("contacts", delete(Contact).where(Contact.id == contact.id)),
    ]
    removed: dict[str, int] = {}
    for name, statement in steps:
        result = await session.execute(statement)
        removed[name] = int(getattr(result, "rowcount", 0) or 0)
    removed["bot_keys"] = await forget_bot_memory(redis, contact.uid)
    return removed


async def forget_bot_memory(redis: Redis, uid: str) -> int:
    """Delete Rasa's tracker and lock for a sender: the bot forgets the conversation."""
    return int(await redis.delete(*(key.format(uid=uid) for key in RASA_KEYS)))
