"""Inbox actions: claim, assign, hand back, resolve, reply, note. Plain form posts.

Each one needs a logged-in member of staff and the session's CSRF token, is written to the
audit log, tells open inboxes (Redis pub/sub), and answers with a redirect back to the
conversation, so it works without JavaScript. Rules: anyone on the team may claim a
conversation nobody has, add notes, or resolve one that waits; only the person who has a
conversation (or an admin) may reply to it, hand it back, clear its safety flag or resolve
it; only an admin assigns it to someone else.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse

from api.conversations import transition
from api.db.models import Author, Contact, Conversation, Note, Owner, Practitioner, utcnow
from api.deps import MAX_ID, RowId, SessionDep, StateDep
from api.inbox import audit, events, views
from api.inbox.access import ActingDep, Staff, refuse
from api.inbox.compose import CANNED, CANNED_KEYS, MAX_REPLY, ReplyRefused, plan
from api.openapi import INBOX_ACTION, inbox_action, page, page_or_invalid
from api.queue import enqueue_delivery
from api.routes.inbox_pages import conversation_response
from api.worker.outbound import queue_reply, queue_text

router = APIRouter(prefix="/inbox/conversations", tags=["inbox"])
SHORTCUTS = {c.shortcut: c.key for c in CANNED}


def _back(conversation_id: int, **query: str) -> RedirectResponse:
    suffix = "&".join(f"{k}={quote(v)}" for k, v in query.items())
    url = f"/inbox/conversations/{conversation_id}" + (f"?{suffix}" if suffix else "")
    return RedirectResponse(url, status.HTTP_303_SEE_OTHER)


async def _load(db: SessionDep, conversation_id: int) -> Conversation:
    conversation = await db.get(Conversation, conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "There is no such conversation.")
    return conversation


async def must_own(db: SessionDep, conversation: Conversation, staff: Staff, what: str) -> None:
    taken_by_other = conversation.owner == Owner.HUMAN.value and conversation.assigned_to_id != staff.id
    if taken_by_other and not staff.is_admin:
        await refuse(db, staff, "Another member of the team has this conversation.", what, conversation.id)


async def must_have(db: SessionDep, conversation: Conversation, staff: Staff, what: str) -> None:
    """Only the practitioner who has the conversation, or an admin: nobody else may hand a
    waiting conversation back or clear a safety flag on one they have not taken on."""
    mine = conversation.owner == Owner.HUMAN.value and conversation.assigned_to_id == staff.id
    if not (mine or staff.is_admin):
        message = f"Only the person who has this conversation, or an admin, can {what}."
        await refuse(db, staff, message, what, conversation.id)


def _take(conversation: Conversation, staff_id: int) -> None:
    if conversation.owner != Owner.HUMAN.value:
        transition(conversation, Owner.HUMAN)
        conversation.waiting_since = conversation.waiting_since or utcnow()
    conversation.assigned_to_id = staff_id
    conversation.keep_assigned = False


async def _done(
    db: SessionDep, state: StateDep, conversation: Conversation, staff: Staff, action: str
) -> None:
    audit.record(db, staff.username, action, conversation.id, source=staff.address)
    await db.commit()
    await events.publish(state.queue, "owner" if action != "note_added" else "note", conversation.id)


@router.post("/{conversation_id}/claim", **inbox_action())
async def claim(db: SessionDep, state: StateDep, staff: ActingDep, conversation_id: RowId) -> Response:
    conversation = await _load(db, conversation_id)
    await must_own(db, conversation, staff, "claim")
    _take(conversation, staff.id)
    await _done(db, state, conversation, staff, "claimed")
    return _back(conversation_id, done="claimed")


@router.post(
    "/{conversation_id}/assign",
    **inbox_action({403: INBOX_ACTION[403] | {"description": "Not an admin, or no or a wrong CSRF token"}}),
)
async def assign(
    db: SessionDep,
    state: StateDep,
    staff: ActingDep,
    conversation_id: RowId,
    practitioner_id: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> Response:
    if not staff.is_admin:
        message = "Only an admin can give a conversation to someone else."
        await refuse(db, staff, message, "assign", conversation_id)
    conversation = await _load(db, conversation_id)
    person = await db.get(Practitioner, practitioner_id)
    if person is None or not person.active:
        return _back(conversation_id, error="no_such_member")
    _take(conversation, person.id)
    await _done(db, state, conversation, staff, "assigned")
    return _back(conversation_id, done="assigned")


@router.post("/{conversation_id}/handback", **inbox_action())
async def hand_back(db: SessionDep, state: StateDep, staff: ActingDep, conversation_id: RowId) -> Response:
    conversation = await _load(db, conversation_id)
    if conversation.owner in (Owner.BOT.value, Owner.RESOLVED.value):
        return _back(conversation_id, error="already_bot")
    await must_have(db, conversation, staff, "hand it back to the bot")
    transition(conversation, Owner.BOT)
    conversation.assigned_to_id = None
    conversation.keep_assigned = False
    contact = await db.get(Contact, conversation.contact_id)
    assert contact is not None
    language = contact.language or state.settings.default_language
    queued = await _tell_resident(db, conversation, contact, language, "handed_back")
    await _done(db, state, conversation, staff, "handed_back")
    if queued is not None:
        await enqueue_delivery(state.queue, conversation.id, queued)
    return _back(conversation_id, done="handed_back")


@router.post("/{conversation_id}/resolve", **inbox_action())
async def resolve(
    db: SessionDep,
    state: StateDep,
    staff: ActingDep,
    conversation_id: RowId,
    keep: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    conversation = await _load(db, conversation_id)
    await must_own(db, conversation, staff, "resolve")
    if conversation.owner == Owner.RESOLVED.value:
        return _back(conversation_id, error="already_resolved")
    transition(conversation, Owner.RESOLVED)
    conversation.keep_assigned = keep in ("1", "on", "yes")
    if conversation.keep_assigned:
        conversation.assigned_to_id = conversation.assigned_to_id or staff.id
    await _done(db, state, conversation, staff, "resolved")
    return _back(conversation_id, done="resolved")


@router.post("/{conversation_id}/notes", **inbox_action())
async def add_note(
    db: SessionDep,
    state: StateDep,
    staff: ActingDep,
    conversation_id: RowId,
    body: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    conversation = await _load(db, conversation_id)
    if not body.strip():
        return _back(conversation_id, error="empty_note")
    db.add(
        Note(conversation_id=conversation.id, author_id=staff.id, author_name=staff.name, body=body.strip())
    )
    await _done(db, state, conversation, staff, "note_added")
    return _back(conversation_id, done="noted")


@router.post(
    "/{conversation_id}/safety/clear",
    **inbox_action({422: page_or_invalid("No note of why: the page again")}),
)
async def clear_safety_flag(
    request: Request,
    db: SessionDep,
    state: StateDep,
    staff: ActingDep,
    conversation_id: RowId,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Only the person who has the conversation (or an admin) clears a safety flag, and only
    with a note of why (kept in the audit log)."""
    conversation = await _load(db, conversation_id)
    if conversation.safety_flag is None:
        return _back(conversation_id, error="no_flag")
    await must_have(db, conversation, staff, "clear its safety flag")
    if len(note.strip()) < 3:
        return await conversation_response(
            request,
            state,
            staff,
            db,
            conversation_id,
            error="Please say why the flag can be cleared.",
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    conversation.safety_flag = None
    conversation.safety_flagged_at = None
    audit.record(db, staff.username, "safety_flag_cleared", conversation.id, note.strip())
    await db.commit()
    await events.publish(state.queue, "flag", conversation.id)
    return _back(conversation_id, done="flag_cleared")


async def _tell_resident(
    db: SessionDep, conversation: Conversation, contact: Contact, language: str, key: str
) -> int | None:
    """Queue a system message to the resident if the contact rules allow it; its id, or None."""
    prefs = await views.contact_prefs(db, conversation, contact)
    try:
        how = plan(conversation, contact, prefs, key, {}, utcnow())
    except ReplyRefused:
        return None
    dedupe = f"{key}:{conversation.id}:{secrets.token_hex(8)}"
    message = await queue_reply(db, conversation, language, key, dedupe, None, Author.SYSTEM)
    if message is None:
        return None
    message.not_before = how.not_before
    await db.flush()
    return message.id if how.not_before is None else None


@router.post(
    "/{conversation_id}/reply",
    **inbox_action(
        {
            409: page("The reply cannot go now (STOP, no safe channel, WhatsApp's window): the page again"),
            422: page_or_invalid("Empty, too long, or not a known canned reply: the page again, text kept"),
        }
    ),
)
async def reply(
    request: Request,
    db: SessionDep,
    state: StateDep,
    staff: ActingDep,
    conversation_id: RowId,
    text: Annotated[str, Form(max_length=MAX_REPLY * 2)] = "",
    canned: Annotated[str, Form(max_length=32)] = "",
    once: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Send a reply: free text as typed, or a canned reply in the resident's language.

    A refused reply shows the page again with the error and the typed text kept.
    """
    conversation = await _load(db, conversation_id)
    await must_own(db, conversation, staff, "reply")
    typed = text.strip()
    key = canned or SHORTCUTS.get(typed) or None

    async def refuse(message: str, code: int = status.HTTP_409_CONFLICT) -> Response:
        return await conversation_response(
            request, state, staff, db, conversation_id, error=message, draft=text, status_code=code
        )

    if key is not None and key not in CANNED_KEYS:
        return await refuse("That canned reply does not exist.", status.HTTP_422_UNPROCESSABLE_CONTENT)
    if key is not None and typed and typed not in SHORTCUTS:
        return await refuse(
            "Choose a canned reply or type a message, not both.", status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    if key is None and not typed:
        return await refuse("The reply is empty.", status.HTTP_422_UNPROCESSABLE_CONTENT)
    if key is None and len(typed) > MAX_REPLY:
        return await refuse(
            f"The reply is longer than {MAX_REPLY} characters.", status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    contact = await db.get(Contact, conversation.contact_id)
    assert contact is not None
    prefs = await views.contact_prefs(db, conversation, contact)
    try:
        how = plan(conversation, contact, prefs, key, state.settings.whatsapp_templates, utcnow())
    except ReplyRefused as refused:
        return await refuse(str(refused))
    # The form's one-time token makes a double click or a resubmitted form send once.
    dedupe = f"inbox:{conversation.id}:{once or secrets.token_hex(8)}"
    language = contact.language or state.settings.default_language
    params = {"name": staff.first_name} if key == "canned_hello" else None
    if key is not None:
        message = await queue_reply(db, conversation, language, key, dedupe, params, Author.PRACTITIONER)
    else:
        message = await queue_text(db, conversation, typed, dedupe, Author.PRACTITIONER)
    if message is None:
        return _back(conversation_id, done="replied")  # already sent by the first click
    message.author_name = staff.name
    message.content_sid = how.content_sid
    message.not_before = how.not_before
    _take(conversation, staff.id)
    await db.flush()
    message_id = message.id
    await _done(db, state, conversation, staff, "reply_sent")
    if how.not_before is None:
        await enqueue_delivery(state.queue, conversation.id, message_id)
    return _back(conversation_id, done="replied" if how.not_before is None else "held")
