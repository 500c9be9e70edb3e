"""Rendering inbox pages (Jinja2, server-side) with strict security headers.

Server-rendered HTML with plain forms works with the keyboard, screen readers and no
JavaScript; the one script only adds live updates, alerts and the SMS counter.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.languages import load_languages
from api.sms import GSM7_BASIC, GSM7_EXTENSION

HERE = Path(__file__).resolve().parent
LONDON = ZoneInfo("Europe/London")
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; media-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
#: The banners a page shows after a redirect. The address carries only one of these codes
#: (`?done=claimed`, `?error=no_flag`): never words, so a link cannot put text on the page.
DONE_BANNERS = {
    "claimed": "You have this conversation now.",
    "assigned": "Assigned.",
    "handed_back": "Handed back to the bot.",
    "resolved": "Resolved.",
    "noted": "Note added.",
    "replied": "Reply sent.",
    "held": "Reply saved. It will go in the resident's safe time window.",
    "flag_cleared": "Safety flag cleared.",
    "booked": "Appointment booked.",
    "moved": "Appointment moved.",
    "cancelled_appointment": "Appointment cancelled.",
    "password_changed": "Your password is changed. Your other sessions have ended.",
    "session_ended": "That session has ended: the browser that had it must log in again.",
    "others_ended": "Every other session of yours has ended.",
}
ERROR_BANNERS = {
    "no_such_member": "There is no active team member with that id.",
    "already_bot": "The bot already has this conversation.",
    "already_resolved": "This conversation is already resolved.",
    "empty_note": "The note is empty.",
    "no_flag": "This conversation has no safety flag.",
    "opted_out": "The resident texted STOP: no message may be sent to them. Phone them if it is safe.",
    "no_number": "We have no number that can receive messages for this resident.",
    "no_channel": "The resident chose no way of contact we can send on: phone them.",
}


def banners(query: dict[str, str]) -> tuple[str, str]:
    """The (done, error) banner texts for a page's query codes; unknown codes show nothing."""
    return DONE_BANNERS.get(query.get("done", ""), ""), ERROR_BANNERS.get(query.get("error", ""), "")


OWNER_LABELS = {
    "bot": "With the bot",
    "waiting": "Waiting for a person",
    "human": "With a person",
    "resolved": "Resolved",
}
REASON_LABELS = {
    "asked": "Asked for a person",
    "not_understood": "Bot did not understand",
    "form": "Stuck on a referral question",
    "safety": "Safety flag",
    "stop_open_case": "Texted STOP with an open case",
    "kept": "Wrote again (kept by you)",
    "appointment_change": "Wants to change an appointment",
    "followup_no": "Service has not been in touch",
    "followup_help": "Asked for help at a follow-up",
    "followup_low": "Low score at the review",
    "data_copy": "Asked for a copy of their data",
}
FLAG_LABELS = {
    "immediate_danger": "Immediate danger",
    "medical_emergency": "Medical emergency",
    "suicide_self_harm": "Suicide or self-harm",
    "domestic_abuse": "Domestic abuse",
    "child_at_risk": "Child at risk",
}


def when(value: datetime | float | None) -> str:
    """London time of a moment (a datetime, or seconds since the epoch as sessions keep it)."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, ZoneInfo("UTC"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(LONDON).strftime("%a %d %b %H:%M")


def waited(value: datetime | None, now: datetime) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    minutes = max(0, int((now - value).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // 1440} days"


def language_labels() -> dict[str, str]:
    """Each language in English, then in its own script: "Urdu (اردو)"."""
    labels = {}
    for code, language in load_languages().items():
        english = Locale.parse(language.locale).get_language_name("en") or code
        labels[code] = english if english == language.name else f"{english} ({language.name})"
    return labels


@cache
def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(HERE / "templates"))
    t.env.filters["when"] = when
    t.env.globals.update(
        owner_labels=OWNER_LABELS,
        reason_labels=REASON_LABELS,
        flag_labels=FLAG_LABELS,
        languages=language_labels(),
        gsm_basic="".join(sorted(GSM7_BASIC)),
        gsm_extension="".join(sorted(GSM7_EXTENSION)),
    )
    return t


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response = templates().TemplateResponse(request, name, context, status_code=status_code)
    response.headers.update(HEADERS)
    return response
