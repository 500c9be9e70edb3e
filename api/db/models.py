"""The data model: contacts, their conversation, and every message in and out.

Chatwoot's shape, kept small: a Contact is one phone number; it has one Conversation
(the thread) whose `owner` is an explicit state; Messages carry direction, channel,
delivery status and the provider's id.
"""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, event, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uid() -> str:
    return secrets.token_hex(16)


class Base(DeclarativeBase):
    pass


class Channel(enum.StrEnum):
    SMS = "sms"
    WHATSAPP = "whatsapp"


class Owner(enum.StrEnum):
    """Who speaks for the service in a conversation. Exactly one at a time."""

    BOT = "bot"
    WAITING = "waiting"  # handed off, no practitioner yet; the bot stays silent
    HUMAN = "human"  # a practitioner owns it; the bot stays silent
    RESOLVED = "resolved"


class Direction(enum.StrEnum):
    IN = "in"
    OUT = "out"


class Author(enum.StrEnum):
    RESIDENT = "resident"
    BOT = "bot"
    PRACTITIONER = "practitioner"
    SYSTEM = "system"


class InboundStatus(enum.StrEnum):
    RECEIVED = "received"  # stored and acknowledged, not yet handled
    PROCESSED = "processed"  # answered by the bot, or routed to a person
    UNROUTABLE = "unroutable"  # kept, but we have no number to answer


class Delivery(enum.StrEnum):
    """Outbound: OUR side of sending a message, in `messages.status`. Only the functions of
    api/db/delivery_states.py change it, and only along the moves listed there."""

    PENDING = "pending"  # to be handed to the provider (again, when the last try was clearly not taken)
    #: The provider call started. Found in this state, the call was cut off or its answer lost:
    #: the message may be at the provider, so it is looked up there before any new send.
    HANDING_OVER = "handing_over"
    WITH_PROVIDER = "with_provider"  # the provider has it; its own word is in provider_status
    FAILED = "failed"  # we gave up: refused before sending, refused by the provider's API, out of tries


class ProviderStatus(enum.StrEnum):
    """Outbound: Twilio's MessageStatus, in `messages.provider_status` (only ever moved forward;
    a failure is final: api/db/delivery_states.py)."""

    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELED = "canceled"


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Opaque id, used as the Rasa sender id so no phone number reaches the bot's stores.
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    #: E.164 when the number is valid; otherwise the raw sender address, kept as given.
    phone: Mapped[str] = mapped_column(String(64), unique=True)
    phone_valid: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(String(16))
    #: How the language was set: "detected" from a message, or "chosen" by the resident.
    #: A chosen language is never changed by detection.
    language_source: Mapped[str | None] = mapped_column(String(16))
    #: Set when the resident texted STOP (or its equivalent): nothing more is sent to them,
    #: on any channel, except the confirmation, HELP answers and urgent safety replies,
    #: until they text START.
    opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    conversation: Mapped[Conversation | None] = relationship(back_populates="contact")


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), unique=True)
    #: The channel of the resident's latest message; replies go back on it.
    channel: Mapped[str] = mapped_column(String(16), default=Channel.SMS.value)
    owner: Mapped[str] = mapped_column(String(16), default=Owner.BOT.value)
    #: Set when a holding reply went out because the bot was slow or down; cleared on recovery.
    holding_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_inbound_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The safety screen's most urgent category for this conversation (api/safety/); set by
    #: the screen, cleared only by a practitioner with a note (never by the resident).
    safety_flag: Mapped[str | None] = mapped_column(String(32))
    safety_flagged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Set while the numbered language menu waits for an answer.
    language_menu_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The practitioner who owns it (owner "human"), or who asked to keep it when resolved.
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("practitioners.id", ondelete="SET NULL"), index=True
    )
    #: Resolved, but the next resident message goes back to the same practitioner.
    keep_assigned: Mapped[bool] = mapped_column(default=False)
    #: When it was handed to a person (the queue orders by it) and why.
    waiting_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handoff_reason: Mapped[str | None] = mapped_column(String(32))
    #: The story at handoff: needs, referral answers so far (from the bot's memory).
    handoff_context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="conversation")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_conversation_direction_status", "conversation_id", "direction", "status"),
        Index("ix_messages_direction_status_created", "direction", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(16))
    #: The practitioner's name on their replies (the transcript shows who wrote).
    author_name: Mapped[str | None] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text, default="")
    #: Inbound media: [{"url": ..., "content_type": ...}], kept for the practitioner.
    media: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    #: Twilio's MessageSid (SM...). Unique: a retried inbound delivery is stored once.
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Outbound idempotency key (for example "reply:<inbound id>:<n>"): a reply is queued once.
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    #: The catalog key an outbound message was rendered from (no personal data).
    catalog_key: Mapped[str | None] = mapped_column(String(64))
    #: Inbound: the safety categories the screen found in it, for the practitioner.
    safety: Mapped[list[str] | None] = mapped_column(JSON)
    #: Outbound: the parameters it was rendered with, so it can be shown again in another language.
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Inbound: an InboundStatus (received / processed / unroutable).
    #: Outbound: a Delivery, our own state (pending / handing_over / with_provider / failed).
    status: Mapped[str] = mapped_column(String(16))
    #: Outbound: the provider's latest word (a ProviderStatus), once it has the message.
    provider_status: Mapped[str | None] = mapped_column(String(16))
    #: Outbound: why it failed (Twilio's ErrorCode, or ours: "opted-out", "no-number"), or the
    #: last error of a try that is being retried.
    error_code: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Outbound: not before this time (a message we start, sent only at a time the resident
    #: said is safe); the recovery sweep sends it once due.
    not_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: WhatsApp outside the 24-hour window: the approved template sent instead of the body.
    content_sid: Mapped[str | None] = mapped_column(String(64))
    #: Outbound: the safety screen's urgent routes; sent before any other reply still queued.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def delivery_shown(self) -> str:
        """Outbound, for practitioners: our state until the provider has it, then the provider's."""
        if self.status == Delivery.WITH_PROVIDER:
            shown = self.provider_status or "with provider"
            return "cancelled" if shown == ProviderStatus.CANCELED else shown
        return "sending" if self.status == Delivery.HANDING_OVER else self.status


class ReferralStatus(enum.StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"


class Referral(Base):
    """A confirmed self-referral: the resident's answers, as they confirmed them."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short, easy to read out by phone ("7KQ-M4P"); no 0/O, 1/I/L or other look-alikes.
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    #: The bot's id for the draft: a second confirmation of the same draft finds this row.
    draft_id: Mapped[str] = mapped_column(String(64), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    language: Mapped[str] = mapped_column(String(16))
    area: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=ReferralStatus.NEW.value, index=True)
    decline_reason: Mapped[str | None] = mapped_column(String(32))
    assigned_to: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ReferralChange(Base):
    """Every change to a referral, with who made it and when (the audit trail)."""

    __tablename__ = "referral_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    #: "created", "accepted", "declined", "assigned", "closed".
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ErasureRequest(Base):
    """A resident asked for their data to be deleted. After it is carried out only this
    anonymous record is left: when, by whom, and how many rows went (no contact id)."""

    __tablename__ = "erasure_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: "pending" or "done".
    status: Mapped[str] = mapped_column(String(16), default="pending")
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_by: Mapped[str | None] = mapped_column(String(128))
    removed: Mapped[dict[str, int] | None] = mapped_column(JSON)


class AuditEvent(Base):
    """Who did what to a conversation, and when. The application only ever adds rows."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    #: For example "safety_flag_raised", "safety_flag_cleared".
    action: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    #: The client's address for what a person did in the inbox (ASVS 16.2.1: where from).
    source: Mapped[str | None] = mapped_column(String(64))


class Appointment(Base):
    """A meeting with a resident, booked by a practitioner. Times are stored in UTC."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    #: phone, home, gp, library, community_centre, video (api/reminders/appointments.py).
    kind: Mapped[str] = mapped_column(String(24))
    #: The place or the number, as the practitioner wrote it.
    place: Mapped[str] = mapped_column(String(200), default="")
    with_whom: Mapped[str] = mapped_column(String(128), default="")
    #: booked, confirmed, cancelled.
    status: Mapped[str] = mapped_column(String(16), default="booked")
    #: Moves so far; reminder ids include it, so a moved appointment gets new reminders.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Reminder(Base):
    """One message we will start at a set time: an appointment reminder or a follow-up.

    `key` is unique (for example "appt:7:v2:3d"): the row is made once, and the send turns
    it into exactly one outbound message (dedupe key "reminder:<id>") in the same commit that
    marks it sent, so a worker killed at any moment or a duplicated job never sends twice.
    """

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    #: appointment, followup_check, followup_review.
    kind: Mapped[str] = mapped_column(String(24))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    #: pending, sent, cancelled, skipped.
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    #: Why it was skipped (opted_out, no_safe_channel, no_safe_time, too_late).
    reason: Mapped[str | None] = mapped_column(String(32))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The resident's answer (confirm, change, cancel; yes, no, help; a score 0-10).
    answer: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Practitioner(Base):
    """A member of staff who works in the inbox. Created by `python -m api.admin`."""

    __tablename__ = "practitioners"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    #: "practitioner" or "admin".
    role: Mapped[str] = mapped_column(String(16), default="practitioner")
    #: Argon2id (argon2-cffi's PasswordHasher), never the password itself.
    password_hash: Mapped[str] = mapped_column(String(256))
    totp_secret: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Note(Base):
    """A private note on a conversation; residents never see notes."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("practitioners.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _audit_is_append_only(*_args: Any) -> None:
    raise PermissionError("audit events are never changed or removed by the application")
