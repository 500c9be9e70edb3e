"""When a message we start may reach a resident: the times they said are safe.

Replies to the resident's own message go at once. A message we start (a decision on their
referral; reminders later) waits for the next window the resident chose in the referral,
in Europe/London time. "Any time" still means waking hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
#: Contact time ids (actions/answers.py CONTACT_TIMES) -> [start, end) in London time.
WINDOWS: dict[str, tuple[time, time]] = {
    "morning": (time(9), time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(21)),
    "any": (time(9), time(21)),
}


def next_allowed(now: datetime, chosen: Iterable[str]) -> datetime | None:
    """None if now is inside a chosen window; else the start of the next one (UTC)."""
    windows = [WINDOWS[c] for c in chosen if c in WINDOWS] or [WINDOWS["any"]]
    local = now.astimezone(LONDON)
    for days in range(0, 3):
        day = (local + timedelta(days=days)).date()
        for start, end in sorted(windows):
            opens = datetime.combine(day, start, LONDON)
            closes = datetime.combine(day, end, LONDON)
            if opens <= local < closes:
                return None
            if local < opens:
                return opens.astimezone(UTC)
    return None  # unreachable: some window opens within two days
