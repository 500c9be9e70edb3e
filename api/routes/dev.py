"""Development only (console transport): what was "sent" to a number."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy import select

from api.db.models import Contact, Conversation, Direction, Message
from api.deps import SessionDep
from api.gateway.parsing import parse_address
from api.openapi import UtcDatetime, invalid

router = APIRouter(prefix="/dev", tags=["dev"])


class OutboxMessage(BaseModel):
    id: int
    to: str
    channel: str
    body: str
    key: str | None
    status: str
    created_at: UtcDatetime


@router.get(
    "/outbox",
    response_model=list[OutboxMessage],
    responses={422: invalid("Not a phone number")},
)
async def outbox(session: SessionDep, to: str = Query(max_length=64)) -> list[OutboxMessage]:
    address = parse_address(to)
    if not address.valid:
        raise HTTPException(status_code=422, detail="'to' must be a phone number, for example +447911123456")
    rows = await session.execute(
        select(Message, Contact.phone)
        .join(Conversation, Message.conversation_id == Conversation.id)
        .join(Contact, Conversation.contact_id == Contact.id)
        .where(
            Contact.phone == address.phone,
            Message.direction == Direction.OUT.value,
            # Handed to the transport; a message held back or refused before that never left.
            Message.sent_at.is_not(None),
        )
        .order_by(Message.sent_at, Message.id)
    )
    return [
        OutboxMessage(
            id=message.id,
            to=phone,
            channel=message.channel,
            body=message.body,
            key=message.catalog_key,
            status=message.delivery_shown,
            created_at=message.sent_at or message.created_at,
        )
        for message, phone in rows.all()
    ]
