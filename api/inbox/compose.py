"""What a practitioner's reply may be, and how it goes (pure: the caller passes the time).

- A free-text reply goes out as typed; a canned reply is a catalog message, rendered in the
  resident's language.
- WhatsApp: outside the 24 hours after the resident's last message only an approved
  template may go (Meta's rule); canned replies with a configured ContentSid are those.
- Safe contact: within a live exchange (the resident wrote in the last hour) a reply goes at
  once on the resident's own channel. Later, the reply follows what the resident chose in
  their referral: only on a channel they chose, and only in their time window.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from api.contact_windows import next_allowed
from api.db.models import Channel, Contact, Conversation
from api.sms import encoding, segments

WHATSAPP_WINDOW = timedelta(hours=24)
LIVE_EXCHANGE = timedelta(hours=1)
MAX_REPLY = 1600  # Twilio's limit for one message body


@dataclass(frozen=True)
class CannedReply:
    key: str
    shortcut: str
    label: str


#: Chosen by shortcut in the reply box (/hello, ...); the text is the resident's language.
CANNED: tuple[CannedReply, ...] = (
    CannedReply("canned_hello", "/hello", "Say hello with your name"),
    CannedReply("canned_wait", "/wait", "Thank them for waiting"),
    CannedReply("canned_call", "/call", "Ask if a phone call is safe"),
    CannedReply("canned_urgent", "/urgent", "Urgent help numbers"),
    CannedReply("canned_bye", "/bye", "Close kindly"),
)
CANNED_KEYS = {c.key: c for c in CANNED}


class ReplyRefused(ValueError):
    """The reply cannot go this way; the message says what the practitioner can do instead."""


@dataclass(frozen=True)
class Plan:
    content_sid: str | None
    not_before: datetime | None


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def sms_info(text: str) -> dict[str, Any]:
    return {"characters": len(text), "encoding": encoding(text), "segments": segments(text)}


def whatsapp_window_open(conversation: Conversation, now: datetime) -> bool:
    last = aware(conversation.last_inbound_at)
    return last is not None and now - last < WHATSAPP_WINDOW


def template_variables(params: Mapping[str, Any] | None) -> str:
    """Twilio's ContentVariables: the template's {{1}}, {{2}}: the ones worked out when the
    message was made (a reminder's day and place, in the resident's language), else the
    params in order."""
    params = params or {}
    if "content_variables" in params:
        return json.dumps(params["content_variables"])
    return json.dumps({str(n): str(v) for n, v in enumerate(params.values(), start=1)})


def plan(
    conversation: Conversation,
    contact: Contact,
    prefs: Mapping[str, Any],
    canned_key: str | None,
    templates: Mapping[str, str],
    now: datetime,
) -> Plan:
    """How this reply goes, or ReplyRefused with what to do instead."""
    if contact.opted_out_at is not None:
        raise ReplyRefused("This resident texted STOP, so nothing can be sent. Phone them if it is safe.")
    if not contact.phone_valid:
        raise ReplyRefused("We have no number that can receive messages for this resident.")
    last = aware(conversation.last_inbound_at)
    live = last is not None and now - last < LIVE_EXCHANGE
    ways = [str(w) for w in prefs.get("contact_ways") or []]
    if not live and ways and conversation.channel not in ways:
        raise ReplyRefused(
            f"The resident did not choose {conversation.channel} as a safe way to contact them. "
            "Wait for them to write, or use a way they chose."
        )
    not_before = None if live else next_allowed(now, [str(t) for t in prefs.get("contact_times") or []])
    content_sid = None
    # The window must still be open when the reply actually goes (it may wait for a safe time).
    if conversation.channel == Channel.WHATSAPP.value and not whatsapp_window_open(
        conversation, not_before or now
    ):
        content_sid = templates.get(canned_key or "")
        if content_sid is None:
            raise ReplyRefused(
                "WhatsApp's 24-hour window is closed: only an approved template can be sent. "
                "Choose a canned reply that has one."
            )
    return Plan(content_sid, not_before)
