"""Appointment messages composed from parts, with the time written the resident's way (Babel)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from babel.dates import format_skeleton, get_datetime_format, get_timezone

KEYS = frozenset({"appt_booked", "appt_moved", "appt_reminder", "appt_cancelled", "appt_next"})
LONDON = get_timezone("Europe/London")
#: Appointment kinds and the sentence that says where.
WHERE = {
    "phone": "appt_where_phone",
    "home": "appt_where_home",
    "gp": "appt_where_place",
    "library": "appt_where_place",
    "community_centre": "appt_where_place",
    "video": "appt_where_video",
}


def when(starts_at: str, locale: str) -> str:
    """ "Monday 7 December, 10:30", in the resident's language and London time."""
    moment = datetime.fromisoformat(starts_at)
    day = format_skeleton("MMMMEEEEd", moment, tzinfo=LONDON, locale=locale)
    clock = format_skeleton("Hm", moment, tzinfo=LONDON, locale=locale)
    return str(get_datetime_format("medium", locale=locale)).replace("{1}", day).replace("{0}", clock)


def parts(
    appointment: Mapping[str, Any], locale: str, tr: Callable[[str], str], catalog: Mapping[str, str]
) -> dict[str, str]:
    """The message's %(when)s and %(where)s; also a WhatsApp template's {{1}} and {{2}}."""
    where = tr(catalog[WHERE[str(appointment["kind"])]]) % {"place": appointment.get("place", "")}
    if appointment.get("with_whom"):
        where += " " + tr(catalog["appt_with"]) % {"who": appointment["with_whom"]}
    return {"when": when(str(appointment["starts_at"]), locale), "where": where}


def compose(
    key: str, params: Mapping[str, Any], locale: str, tr: Callable[[str], str], catalog: Mapping[str, str]
) -> str:
    found = parts(params["appointment"], locale, tr, catalog)
    if key == "appt_cancelled":
        found.pop("where")
    return tr(catalog[key]) % found
