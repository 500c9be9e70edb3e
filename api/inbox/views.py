"""What the inbox pages show: the queue (filtered, counted) and one conversation whole.

Queries only; the routers render. Waiting conversations come first, safety-flagged ones
first of all, then the longest wait.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Appointment, Contact, Conversation, Message, Note, Owner, Practitioner, Referral
from api.inbox.compose import aware
from api.reminders.reach import preferences

STATUSES = ("open", "waiting", "human", "bot", "resolved", "all")
CHANNELS = ("sms", "whatsapp")


@dataclass
class QueueFilter:
    status: str = "open"
    mine: bool = False
    unassigned: bool = False
    language: str = ""
    channel: str = ""

    @classmethod
    def parse(cls, params: dict[str, str], languages: list[str]) -> QueueFilter:
        """Unknown values fall back to the default rather than failing the page."""
        status = params.get("status", "open")
        return cls(
            status=status if status in STATUSES else "open",
            mine=params.get("mine") in ("1", "on", "true"),
            unassigned=params.get("unassigned") in ("1", "on", "true"),
            language=params.get("language", "") if params.get("language", "") in languages else "",
            channel=params.get("channel", "") if params.get("channel", "") in CHANNELS else "",
        )

    def query(self) -> str:
        parts = [f"status={self.status}"]
        parts += ["mine=1"] if self.mine else []
        parts += ["unassigned=1"] if self.unassigned else []
        parts += [f"language={self.language}"] if self.language else []
        parts += [f"channel={self.channel}"] if self.channel else []
        return "&".join(parts)


def _owners(status: str) -> list[str] | None:
    if status == "open":
        return [Owner.WAITING.value, Owner.HUMAN.value]
    return None if status == "all" else [status]


def _filtered(f: QueueFilter, staff_id: int) -> Any:
    query = select(Conversation, Contact).join(Contact, Contact.id == Conversation.contact_id)
    if (owners := _owners(f.status)) is not None:
        query = query.where(Conversation.owner.in_(owners))
    if f.mine:
        query = query.where(Conversation.assigned_to_id == staff_id)
    if f.unassigned:
        query = query.where(Conversation.assigned_to_id.is_(None))
    if f.language:
        query = query.where(Contact.language == f.language)
    if f.channel:
        query = query.where(Conversation.channel == f.channel)
    return query


@dataclass
class QueueRow:
    conversation: Conversation
    contact: Contact
    assignee: str | None
    waiting_since: datetime | None


async def queue(session: AsyncSession, f: QueueFilter, staff_id: int, limit: int = 200) -> list[QueueRow]:
    waiting_first = case((Conversation.owner == Owner.WAITING.value, 0), else_=1)
    flagged_first = case((Conversation.safety_flag.is_not(None), 0), else_=1)
    query = (
        _filtered(f, staff_id)
        .order_by(
            flagged_first,
            waiting_first,
            Conversation.waiting_since.is_(None),
            Conversation.waiting_since,
            Conversation.last_inbound_at.desc(),
        )
        .limit(limit)
    )
    names = dict((await session.execute(select(Practitioner.id, Practitioner.display_name))).tuples().all())
    rows = []
    for conversation, contact in (await session.execute(query)).tuples():
        since = aware(conversation.waiting_since) or aware(conversation.last_inbound_at)
        rows.append(QueueRow(conversation, contact, names.get(conversation.assigned_to_id or -1), since))
    return rows


async def counts(session: AsyncSession, staff_id: int) -> dict[str, int]:
    """Conversations per owner, plus "mine" (assigned to me and open) and flagged."""
    by_owner = dict(
        (await session.execute(select(Conversation.owner, func.count()).group_by(Conversation.owner)))
        .tuples()
        .all()
    )
    open_owners = [Owner.WAITING.value, Owner.HUMAN.value]
    mine = await session.scalar(
        select(func.count()).where(
            Conversation.assigned_to_id == staff_id, Conversation.owner.in_(open_owners)
        )
    )
    flagged = await session.scalar(
        select(func.count()).where(Conversation.safety_flag.is_not(None), Conversation.owner.in_(open_owners))
    )
    result = {owner.value: int(by_owner.get(owner.value, 0)) for owner in Owner}
    result.update(open=result["waiting"] + result["human"], mine=int(mine or 0), flagged=int(flagged or 0))
    return result


@dataclass
class ConversationView:
    conversation: Conversation
    contact: Contact
    messages: list[Message]
    notes: list[Note]
    referrals: list[Referral]
    assignee: Practitioner | None
    staff: list[Practitioner] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)

    @property
    def answers(self) -> dict[str, Any]:
        """The referral answers: the stored referral's, else what the bot had at handoff."""
        if self.referrals:
            return dict(self.referrals[0].answers)
        return dict((self.conversation.handoff_context or {}).get("referral_answers") or {})

    @property
    def resident_name(self) -> str | None:
        name = self.answers.get("name")
        return str(name) if name else None

    @property
    def interpreter_needed(self) -> bool:
        return str(self.answers.get("interpreter") or "").strip().lower() == "yes"

    @property
    def prefs(self) -> dict[str, Any]:
        return prefs_of(self.answers)


async def conversation_view(session: AsyncSession, conversation_id: int) -> ConversationView | None:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    contact = await session.get(Contact, conversation.contact_id)
    assert contact is not None
    messages = list(
        await session.scalars(
            select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
        )
    )
    notes = list(
        await session.scalars(select(Note).where(Note.conversation_id == conversation.id).order_by(Note.id))
    )
    referrals = list(
        await session.scalars(
            select(Referral).where(Referral.contact_id == contact.id).order_by(Referral.id.desc())
        )
    )
    staff = list(
        await session.scalars(
            select(Practitioner).where(Practitioner.active).order_by(Practitioner.display_name)
        )
    )
    assignee = next((p for p in staff if p.id == conversation.assigned_to_id), None)
    appointments = list(
        await session.scalars(
            select(Appointment)
            .where(Appointment.contact_id == contact.id)
            .order_by(Appointment.starts_at.desc())
            .limit(5)
        )
    )
    return ConversationView(conversation, contact, messages, notes, referrals, assignee, staff, appointments)


PREF_KEYS = ("contact_ways", "contact_times")


def prefs_of(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: answers.get(k) or [] for k in PREF_KEYS}


async def contact_prefs(
    session: AsyncSession, conversation: Conversation, contact: Contact
) -> dict[str, Any]:
    """What ConversationView.prefs shows, without loading the whole conversation."""
    answers = (
        await preferences(session, contact)
        or (conversation.handoff_context or {}).get("referral_answers")
        or {}
    )
    return prefs_of(dict(answers))
