"""Turning a Twilio webhook body into clean values. Pure functions, no I/O.

Nothing here raises on bad input: junk bytes become replacement characters, a number that
is not a phone number is kept as given and flagged, and a body is never cut. An id too long
to store is not cut either (a cut MessageSid made another message a "duplicate", and it was
dropped): `too_long` names it, and the route refuses the request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

import phonenumbers

from api.db.models import Channel

WHATSAPP_PREFIX = "whatsapp:"
MAX_MEDIA = 10  # Twilio sends at most 10 media items per message
#: The longest value of each field we store, as its column allows: Twilio's SIDs are 34
#: characters (messages.provider_sid holds 64), its error codes 5 digits (error_code, 32).
MAX_LENGTHS = {"MessageSid": 64, "SmsMessageSid": 64, "SmsSid": 64, "ErrorCode": 32}


def parse_form(raw: bytes) -> dict[str, str]:
    """Parse an x-www-form-urlencoded body; invalid UTF-8 becomes U+FFFD, never an error.

    Later duplicates of a field win, as in Twilio's own signature check over a dict.
    """
    fields: dict[str, str] = {}
    for part in raw.split(b"&"):
        if not part:
            continue
        key, _, value = part.partition(b"=")
        fields[_decode(key)] = _decode(value)
    return fields


def _decode(value: bytes) -> str:
    return _clean(unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8", errors="replace"))


def _clean(value: str) -> str:
    # NUL cannot be stored in PostgreSQL text; keep the position visible instead of dropping it.
    return value.replace("\x00", "\ufffd")


def too_long(form: dict[str, str]) -> str | None:
    """A plain sentence naming the first field too long to store, or None."""
    for name, limit in MAX_LENGTHS.items():
        if len(form.get(name, "")) > limit:
            return f"{name} is longer than {limit} characters."
    return None


@dataclass(frozen=True)
class Address:
    channel: Channel
    #: E.164 when valid, else the raw address as sent.
    phone: str
    valid: bool


def parse_address(raw: str, default_region: str = "GB") -> Address:
    """`+447911123456` or `whatsapp:+447911123456` to (channel, E.164, valid)."""
    value = raw.strip()
    channel = Channel.SMS
    if value.lower().startswith(WHATSAPP_PREFIX):
        channel = Channel.WHATSAPP
        value = value[len(WHATSAPP_PREFIX) :].strip()
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException:
        return Address(channel, _kept(value), False)
    if not phonenumbers.is_valid_number(number):
        return Address(channel, _kept(value), False)
    return Address(channel, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), True)


#: contacts.phone holds 64 characters.
MAX_ADDRESS = 64


def _kept(value: str) -> str:
    """An address that is not a phone number, kept as sent if it fits; a longer one keeps its
    start and a digest of the whole, so two long senders never share one contact."""
    if len(value) <= MAX_ADDRESS:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:16]
    return f"{value[: MAX_ADDRESS - 17]}~{digest}"


@dataclass(frozen=True)
class InboundMessage:
    sid: str
    address: Address
    body: str
    media: list[dict[str, str]] = field(default_factory=list)


def parse_inbound(form: dict[str, str]) -> InboundMessage:
    media: list[dict[str, str]] = []
    try:
        count = min(int(form.get("NumMedia", "0") or 0), MAX_MEDIA)
    except ValueError:
        count = 0
    for i in range(max(count, 0)):
        url = form.get(f"MediaUrl{i}", "")
        if url:
            media.append({"url": url, "content_type": form.get(f"MediaContentType{i}", "")})
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or _synthetic_sid(form)
    return InboundMessage(
        sid=sid,  # at most 64 characters: the route refused longer ones (too_long)
        address=parse_address(form.get("From", "")),
        body=form.get("Body", ""),
        media=media,
    )


def _synthetic_sid(form: dict[str, str]) -> str:
    """A stable id for a delivery that came without MessageSid, so its retries still dedupe."""
    digest = hashlib.sha256(repr(sorted(form.items())).encode()).hexdigest()
    return "XX" + digest[:32]
