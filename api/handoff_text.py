"""The handoff messages' times, written by Babel in the resident's language.

Params hold plain values (minutes, an ISO time), so a message can be rendered again in
another language after the resident changes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from babel.dates import format_datetime, format_timedelta, get_timezone

KEYS = frozenset({"handoff_open", "handoff_closed", "safety_team_open", "safety_team_closed"})
#: Keys whose one parameter is a wait (minutes); the others name when the team opens.
WAIT_KEYS = frozenset({"handoff_open", "safety_team_open"})
LONDON = get_timezone("Europe/London")


def compose(
    key: str, params: Mapping[str, Any], locale: str, tr: Callable[[str], str], catalog: Mapping[str, str]
) -> str:
    if key in WAIT_KEYS:
        wait = timedelta(minutes=int(params["wait_minutes"]))
        return tr(catalog[key]) % {"wait": format_timedelta(wait, threshold=2, locale=locale)}
    opens = datetime.fromisoformat(str(params["opens_at"]))
    when = format_datetime(opens, "EEEE HH:mm", tzinfo=LONDON, locale=locale)
    return tr(catalog[key]) % {"when": when}
