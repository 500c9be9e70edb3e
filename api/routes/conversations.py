"""Practitioners' conversation queue (JSON, bearer token), for machine clients beside the inbox.

Waiting conversations come safety-flagged first, then oldest first. A safety flag is
cleared by the practitioner who has the conversation or an admin (`by`: their inbox username),
with a note; both raising and clearing are
kept in the append-only audit log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import case, select

from api.db.models import AuditEvent, Conversation, Owner, Practitioner
from api.deps import RowId, SessionDep, require_practitioner
from api.openapi import UNREADABLE, UtcDatetime, problem

router = APIRouter(
    prefix="/api/conversations",
    tags=["conversations"],
    dependencies=[Depends(require_practitioner)],
    responses={401: problem("No or wrong practitioner token")},
)


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    owner: str
    channel: str
    safety_flag: str | None
    safety_flagged_at: UtcDatetime | None
    last_inbound_at: UtcDatetime | None


class ClearBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: Annotated[str, Field(min_length=1, max_length=128)]
    note: Annotated[str, Field(min_length=3, max_length=2000, description="Why the flag can be cleared")]


@router.get("", response_model=list[ConversationOut])
async def queue(
    session: SessionDep,
    owner: Annotated[Owner | None, Query()] = Owner.WAITING,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ConversationOut]:
    flagged_first = case((Conversation.safety_flag.is_not(None), 0), else_=1)
    query = (
        select(Conversation)
        .order_by(flagged_first, Conversation.last_inbound_at, Conversation.id)
        .limit(limit)
    )
    if owner is not None:
        query = query.where(Conversation.owner == owner.value)
    return [ConversationOut.model_validate(c) for c in await session.scalars(query)]


@router.post(
    "/{conversation_id}/safety/clear",
    response_model=ConversationOut,
    responses={
        **UNREADABLE,
        403: problem("'by' is not the conversation's practitioner or an admin"),
        404: problem("No conversation has this id"),
        409: problem("This conversation has no safety flag"),
    },
)
async def clear_safety_flag(session: SessionDep, conversation_id: RowId, body: ClearBody) -> ConversationOut:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No conversation has this id.")
    if conversation.safety_flag is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "This conversation has no safety flag.")
    if not await _may_clear(session, conversation, body.by):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "Only the practitioner who has this conversation, or an admin, can clear its flag: "
            "'by' must be their inbox username.",
        )
    session.add(
        AuditEvent(
            actor=body.by, action="safety_flag_cleared", conversation_id=conversation.id, note=body.note
        )
    )
    conversation.safety_flag = None
    conversation.safety_flagged_at = None
    await session.commit()
    return ConversationOut.model_validate(conversation)


async def _may_clear(session: SessionDep, conversation: Conversation, username: str) -> bool:
    """The same rule as the inbox's: the practitioner who has the conversation, or an admin
    (an active account either way)."""
    person = await session.scalar(
        select(Practitioner).where(Practitioner.username == username, Practitioner.active.is_(True))
    )
    if person is None:
        return False
    return person.role == "admin" or (
        conversation.owner == Owner.HUMAN.value and conversation.assigned_to_id == person.id
    )
