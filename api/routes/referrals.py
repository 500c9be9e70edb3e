"""Practitioners' referral API (JSON, bearer token), for machine clients beside the inbox.

Protected by a bearer token (PRACTITIONER_API_TOKEN); with no token set it is closed.
Accepting or declining tells the resident in their language, but only by a channel they
said is safe (their answers); otherwise the answer says to phone them instead.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from api.contact_windows import next_allowed
from api.db.models import Contact, Conversation, Referral, ReferralChange, ReferralStatus, utcnow
from api.deps import SessionDep, StateDep, require_practitioner
from api.openapi import UNREADABLE, Responses, UtcDatetime, problem
from api.queue import enqueue_delivery
from api.referrals.replies import referral_params
from api.referrals.store import TransitionRefused, assign, change_status, normalize_reference
from api.reminders.appointments import followups
from api.reminders.send import schedule
from api.worker.outbound import queue_reply

router = APIRouter(
    prefix="/api/referrals",
    tags=["referrals"],
    dependencies=[Depends(require_practitioner)],
    responses={401: problem("No or wrong practitioner token")},
)
NOT_FOUND: Responses = {404: problem("No referral has this reference")}
CHANGE: Responses = {
    **UNREADABLE,
    **NOT_FOUND,
    409: problem("The referral's status does not allow this change"),
}

Actor = Annotated[str, Field(min_length=1, max_length=128, description="Who is making the change")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    by: Actor


class DeclineBody(_Body):
    reason: Literal["other_service", "outside_area", "needs_gp", "could_not_contact"]
    note: str | None = Field(default=None, max_length=2000)


class AssignBody(_Body):
    to: Annotated[str, Field(min_length=1, max_length=128)]


class Change(BaseModel):
    action: str
    actor: str
    reason: str | None
    note: str | None
    at: UtcDatetime


class ReferralOut(BaseModel):
    reference: str
    status: str
    language: str
    area: str
    assigned_to: str | None
    decline_reason: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class ReferralDetail(ReferralOut):
    answers: dict[str, Any]
    history: list[Change]


class Decision(BaseModel):
    referral: ReferralOut
    #: Whether a message to the resident was queued; if not, `phone_instead` says why.
    resident_told: bool
    phone_instead: str | None = None


def _out(referral: Referral) -> ReferralOut:
    return ReferralOut.model_validate(referral, from_attributes=True)


async def _find(session: SessionDep, reference: str) -> Referral:
    referral = await session.scalar(
        select(Referral).where(Referral.reference == normalize_reference(reference))
    )
    if referral is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No referral has this reference.")
    return referral


@router.get("", response_model=list[ReferralOut])
async def list_referrals(
    session: SessionDep,
    status_: Annotated[ReferralStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ReferralOut]:
    query = select(Referral).order_by(Referral.id.desc()).limit(limit)
    if status_ is not None:
        query = query.where(Referral.status == status_.value)
    return [_out(r) for r in await session.scalars(query)]


@router.get("/{reference}", response_model=ReferralDetail, responses=NOT_FOUND)
async def get_referral(session: SessionDep, reference: str) -> ReferralDetail:
    referral = await _find(session, reference)
    changes = await session.scalars(
        select(ReferralChange).where(ReferralChange.referral_id == referral.id).order_by(ReferralChange.id)
    )
    return ReferralDetail(
        **_out(referral).model_dump(),
        answers=referral.answers,
        history=[Change.model_validate(c, from_attributes=True) for c in changes],
    )


async def _tell_resident(session: SessionDep, state: StateDep, referral: Referral, key: str) -> Decision:
    conversation = await session.get(Conversation, referral.conversation_id)
    contact = await session.get(Contact, referral.contact_id)
    assert conversation is not None and contact is not None
    ways = referral.answers.get("contact_ways") or []
    why_not = None
    if contact.opted_out_at is not None:
        why_not = "The resident texted STOP: no message may be sent to them."
    elif ("whatsapp" if conversation.channel == "whatsapp" else "sms") not in ways:
        why_not = f"The resident did not choose {conversation.channel} as a safe way to contact them."
    message = None
    if why_not is None:
        message = await queue_reply(
            session,
            conversation,
            contact.language or state.settings.default_language,
            key,
            f"referral:{referral.id}:{key}",
            referral_params(referral),
        )
    if message is not None:
        # Only at a time the resident said is safe; the recovery sweep sends it when due.
        message.not_before = next_allowed(utcnow(), referral.answers.get("contact_times") or [])
    await session.commit()
    if message is not None and message.not_before is None:
        await enqueue_delivery(state.queue, conversation.id, message.id)
    return Decision(referral=_out(referral), resident_told=why_not is None, phone_instead=why_not)


def _refused(exc: TransitionRefused) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, str(exc))


@router.post("/{reference}/accept", response_model=Decision, responses=CHANGE)
async def accept(session: SessionDep, state: StateDep, reference: str, body: _Body) -> Decision:
    referral = await _find(session, reference)
    try:
        change_status(session, referral, ReferralStatus.ACCEPTED, body.by)
    except TransitionRefused as exc:
        raise _refused(exc) from None
    # The two-week check and the review, whatever happens to this message.
    checks = followups(referral.id, referral.contact_id, referral.conversation_id, state.settings, utcnow())
    session.add_all(checks)
    await session.flush()
    decision = await _tell_resident(session, state, referral, "referral_accepted")
    for check in checks:
        await schedule(state.queue, check)
    return decision


@router.post("/{reference}/decline", response_model=Decision, responses=CHANGE)
async def decline(session: SessionDep, state: StateDep, reference: str, body: DeclineBody) -> Decision:
    referral = await _find(session, reference)
    try:
        change_status(session, referral, ReferralStatus.DECLINED, body.by, body.reason, body.note)
    except TransitionRefused as exc:
        raise _refused(exc) from None
    return await _tell_resident(session, state, referral, "referral_declined")


@router.post("/{reference}/close", response_model=ReferralOut, responses=CHANGE)
async def close(session: SessionDep, reference: str, body: _Body) -> ReferralOut:
    referral = await _find(session, reference)
    try:
        change_status(session, referral, ReferralStatus.CLOSED, body.by)
    except TransitionRefused as exc:
        raise _refused(exc) from None
    await session.commit()
    return _out(referral)


@router.post("/{reference}/assign", response_model=ReferralOut, responses=CHANGE)
async def assign_referral(session: SessionDep, reference: str, body: AssignBody) -> ReferralOut:
    referral = await _find(session, reference)
    try:
        assign(session, referral, body.to, body.by)
    except TransitionRefused as exc:
        raise _refused(exc) from None
    await session.commit()
    return _out(referral)
