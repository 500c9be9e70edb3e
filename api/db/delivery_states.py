"""An outbound message's delivery: our state and the provider's, and every move between them.

Two columns, two owners, never mixed (Twilio's "sending" once landed in our own column, where it
meant "hand-over cut off", and the message was looked up and sent again):

- `messages.status` holds OUR state, a `Delivery`:

      pending ──start_hand_over──► handing_over ──handed_over──► with_provider
         ▲                          │  │  ▲ └─unsure (stays; looked up before any resend)
         └────────not_taken─────────┘  │  └─start_hand_over (after a lookup found nothing)
      pending, handing_over ──give_up──► failed             (final)
      pending, handing_over ──provider_reported──► with_provider  (a signed callback about it
                                                                   proves Twilio has it)

  Every move is one UPDATE whose WHERE names the states it may come from, so a move that is not
  allowed (a job and a callback racing, a second job) changes nothing and the function returns
  False. `failed` and `with_provider` are never left, except with_provider → with_provider.

- `messages.provider_status` holds the PROVIDER's word, a `ProviderStatus`, written only by
  `handed_over` (the answer to the send, or the lookup) and `provider_reported` (status
  callbacks). It only moves up in `PROVIDER_RANK`, so a late callback never moves it back. A
  failure (undelivered, failed, canceled) ranks above everything: it is final and keeps its
  ErrorCode, whatever comes after it (a late "delivered" or "read" included). We would rather
  show practitioners a failure that the provider later contradicts than hide one: they phone.

Inbound messages keep their own states (`InboundStatus`) in `messages.status`; nothing here
touches an inbound row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api.db.models import Delivery, Direction, Message, ProviderStatus, utcnow

Database = AsyncSession | AsyncConnection

#: For each state, the states a message may move to it from.
MOVES: dict[Delivery, frozenset[Delivery]] = {
    Delivery.PENDING: frozenset({Delivery.HANDING_OVER}),
    Delivery.HANDING_OVER: frozenset({Delivery.PENDING, Delivery.HANDING_OVER}),
    Delivery.WITH_PROVIDER: frozenset({Delivery.PENDING, Delivery.HANDING_OVER, Delivery.WITH_PROVIDER}),
    Delivery.FAILED: frozenset({Delivery.PENDING, Delivery.HANDING_OVER}),
}

#: Waiting for the worker: to be sent, or to be looked up at the provider and then sent.
UNSENT = (Delivery.PENDING.value, Delivery.HANDING_OVER.value)

FINAL_RANK = 9
PROVIDER_RANK: dict[ProviderStatus, int] = {
    ProviderStatus.ACCEPTED: 1,
    ProviderStatus.SCHEDULED: 1,
    ProviderStatus.QUEUED: 2,
    ProviderStatus.SENDING: 3,
    ProviderStatus.SENT: 4,
    ProviderStatus.DELIVERED: 5,
    ProviderStatus.READ: 6,
    ProviderStatus.UNDELIVERED: FINAL_RANK,
    ProviderStatus.FAILED: FINAL_RANK,
    ProviderStatus.CANCELED: FINAL_RANK,
}


def may_move(old: str, new: Delivery) -> bool:
    return old in MOVES[new]


def provider_status(text: str) -> ProviderStatus | None:
    """Twilio's MessageStatus as one we track, or None (inbound ones, unknown words)."""
    try:
        return ProviderStatus(text.strip().lower())
    except ValueError:
        return None


def _below(status: ProviderStatus) -> list[str]:
    rank = PROVIDER_RANK[status]
    return [s.value for s, r in PROVIDER_RANK.items() if r < rank]


def _advances(status: ProviderStatus) -> ColumnElement[bool]:
    """SQL: the stored provider status is older than `status` (or there is none yet)."""
    return Message.provider_status.is_(None) | Message.provider_status.in_(_below(status))


async def _move(db: Database, message_id: int, to: Delivery, **values: Any) -> bool:
    result = await db.execute(
        update(Message)
        .where(
            Message.id == message_id,
            Message.direction == Direction.OUT.value,
            Message.status.in_([s.value for s in MOVES[to]]),
        )
        .values(status=to.value, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def start_hand_over(db: Database, message_id: int) -> bool:
    """pending or handing_over → handing_over, one more try counted: the provider call follows."""
    return await _move(db, message_id, Delivery.HANDING_OVER, attempts=Message.attempts + 1)


async def unsure(db: Database, message_id: int, code: str, count_try: bool = False) -> bool:
    """handing_over stays: the call's outcome is unknown (a timeout, a lost answer, a failed
    lookup); the next try looks the message up first. `count_try`: a failed lookup counts as
    a try, so one that never succeeds ends in give_up, not in endless lookups."""
    tries = Message.attempts + 1 if count_try else Message.attempts
    result = await db.execute(
        update(Message)
        .where(Message.id == message_id, Message.status == Delivery.HANDING_OVER.value)
        .values(error_code=code, attempts=tries)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def not_taken(db: Database, message_id: int, code: str) -> bool:
    """handing_over → pending: the provider clearly did not take it (429, 5xx); sent again later."""
    return await _move(db, message_id, Delivery.PENDING, error_code=code)


async def give_up(db: Database, message_id: int, code: str) -> bool:
    """pending or handing_over → failed, for good, with why (Twilio's code or ours)."""
    return await _move(db, message_id, Delivery.FAILED, error_code=code)


async def handed_over(db: Database, message_id: int, sid: str, status: str) -> bool:
    """→ with_provider, with the provider's id and its first word (the send's answer, or what a
    lookup found). A status callback may already have said more: the provider status is
    only moved forward, and an error code cleared only then."""
    known = provider_status(status) or ProviderStatus.QUEUED
    ahead = _advances(known)
    return await _move(
        db,
        message_id,
        Delivery.WITH_PROVIDER,
        provider_sid=sid,
        sent_at=utcnow(),
        # Both CASEs read the row as it was before this UPDATE.
        provider_status=case((ahead, known.value), else_=Message.provider_status),
        error_code=case((ahead, None), else_=Message.error_code),
    )


async def provider_reported(
    db: Database, sid: str, message_id: int | None, status: ProviderStatus, error_code: str | None
) -> int | None:
    """A status callback: the provider status moves forward (never back; a failure is final),
    with its ErrorCode; a message still pending or handing_over is now with_provider (one we
    gave up on stays failed, with our reason).

    The message is found by our id from the callback's address (the callback can come before
    the send's answer stored the SID), unless it holds another SID, or else by the SID.
    Returns the conversation's id when the message changed.
    """
    target: ColumnElement[bool]
    if message_id is not None:
        target = (Message.id == message_id) & (Message.provider_sid.is_(None) | (Message.provider_sid == sid))
    else:
        target = Message.provider_sid == sid
    row = (
        await db.execute(
            select(Message.id, Message.conversation_id)
            .where(target, Message.direction == Direction.OUT.value, _advances(status))
            .limit(1)
        )
    ).one_or_none()
    if row is None:
        return None
    moved = await db.execute(
        update(Message)
        .where(Message.id == row.id, _advances(status))  # again: another callback may have won
        .values(
            provider_status=status.value,
            # Our own failure keeps its reason (the provider's word is still recorded).
            error_code=case((Message.status == Delivery.FAILED.value, Message.error_code), else_=error_code),
            status=case((Message.status.in_(UNSENT), Delivery.WITH_PROVIDER.value), else_=Message.status),
        )
        .execution_options(synchronize_session=False)
    )
    return int(row.conversation_id) if moved.rowcount else None  # type: ignore[attr-defined]
