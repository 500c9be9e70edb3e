"""Twilio webhooks: inbound messages and delivery status callbacks.

Every request must carry a valid X-Twilio-Signature, in every mode. An inbound message
is stored before it is acknowledged; the bot's turn happens afterwards, on the worker.
Bodies are limited before they are read (api/body_limit.py); an id too long to store is a
400, never cut. A status callback records the provider's word through
api/db/delivery_states.py (forward only; a failure is final).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response

from api.body_limit import limited_route
from api.db.delivery_states import provider_reported, provider_status
from api.deps import MAX_ID, SessionDep, StateDep
from api.gateway.parsing import parse_form, parse_inbound, too_long
from api.gateway.signature import is_valid_signature
from api.inbox import events
from api.openapi import Responses

log = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
#: Twilio's own requests are far smaller (a 1,600-character body and ten media URLs take a few
#: KiB, 64 KiB at most for the largest WhatsApp payloads); 256 KiB leaves room for new fields.
MAX_BODY_BYTES = 256 * 1024
router = APIRouter(prefix="/twilio", tags=["twilio"], route_class=limited_route(MAX_BODY_BYTES))


def _form_body(fields: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """Twilio's form: the fields we read (any may be missing; each with a description and an
    example), and whatever else Twilio sends."""
    properties = {
        name: {"type": "string", "description": description, "examples": [example]}
        for name, (description, example) in fields.items()
    }
    schema = {"type": "object", "properties": properties, "additionalProperties": {"type": "string"}}
    return {
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": schema}},
        }
    }


_SID = ("Twilio's id of the message", "SM0123456789abcdef0123456789abcdef")
_INBOUND_FORM = _form_body(
    {
        "MessageSid": _SID,
        "From": ("The sender: E.164, or whatsapp: and E.164", "+447911123456"),
        "To": ("Our number", "+447000000000"),
        "Body": ("The text", "hello"),
        "NumMedia": ("How many MediaUrlN and MediaContentTypeN pairs follow", "0"),
    }
)
_STATUS_FORM = {
    **_form_body(
        {
            "MessageSid": _SID,
            "MessageStatus": ("queued, sent, delivered, undelivered, failed, read, ...", "delivered"),
            "ErrorCode": ("Twilio's error code, when not delivered", "30003"),
        }
    ),
    "parameters": [
        {
            "name": "m",
            "in": "query",
            "required": False,
            "description": "Our id of the message: the worker puts it in the StatusCallback address",
            "schema": {"type": "string"},
        }
    ],
}
_TEXT = {"text/plain": {"schema": {"type": "string"}}}
_RESPONSES: Responses = {
    200: {"description": "Taken (an empty TwiML answer)", "content": {"application/xml": {}}},
    400: {"description": "MessageSid or ErrorCode too long to store: nothing stored", "content": _TEXT},
    403: {"description": "Missing or wrong X-Twilio-Signature: nothing stored", "content": _TEXT},
    413: {"description": "The body is larger than any Twilio request", "content": _TEXT},
}


def _message_id(text: str) -> int | None:
    """Our message id from the status callback's address (?m=), if it can be one."""
    if text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID)) and 0 < int(text) <= MAX_ID:
        return int(text)
    return None


def _twiml() -> Response:
    return Response(EMPTY_TWIML, media_type="application/xml")


async def _signed_form(request: Request, state: StateDep) -> dict[str, str] | Response:
    form = parse_form(await request.body())  # at most MAX_BODY_BYTES: the router's route class
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    settings = state.settings
    signature = request.headers.get("x-twilio-signature", "")
    if not is_valid_signature(settings.twilio_auth_token, settings.public_base_url, path, form, signature):
        log.warning("rejected a request to %s with a missing or wrong signature", request.url.path)
        return Response("Invalid or missing Twilio signature.", status_code=403, media_type="text/plain")
    if (problem := too_long(form)) is not None:
        log.warning("refused a signed request to %s: %s", request.url.path, problem)
        return Response(problem, status_code=400, media_type="text/plain")
    return form


@router.post("/messages", openapi_extra=_INBOUND_FORM, response_class=Response, responses=_RESPONSES)
async def inbound_message(request: Request, state: StateDep) -> Response:
    form = await _signed_form(request, state)
    if isinstance(form, Response):
        return form
    inbound = parse_inbound(form)
    stored = await state.intake.take(inbound)  # stored and queued for the bot
    log.info(
        "inbound message %s on conversation %s%s",
        stored.message_id,
        stored.conversation_id,
        " (duplicate delivery, ignored)" if stored.duplicate else "",
    )
    return _twiml()


@router.post("/status", openapi_extra=_STATUS_FORM, response_class=Response, responses=_RESPONSES)
async def status_callback(request: Request, state: StateDep, session: SessionDep) -> Response:
    form = await _signed_form(request, state)
    if isinstance(form, Response):
        return form
    status = provider_status(form.get("MessageStatus") or form.get("SmsStatus") or "")
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    if status is None or not sid:
        return _twiml()  # nothing we track; acknowledged so Twilio does not retry
    conversation_id = await provider_reported(
        session, sid, _message_id(request.query_params.get("m", "")), status, form.get("ErrorCode") or None
    )
    await session.commit()
    if conversation_id is not None:
        await events.publish(state.queue, "status", conversation_id)
    outcome = "recorded" if conversation_id else "not newer, kept"
    log.info("provider status %s for an outbound message (%s)", status, outcome)
    return _twiml()
