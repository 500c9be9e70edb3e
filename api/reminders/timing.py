"""When reminders and follow-ups are due (pure: every function takes the time it needs).

- A day offset ("3d") means that many days before, at a sensible local time (REMINDER_LOCAL_TIME,
  10:00); an hour offset ("2h") means exactly that long before.
- Nothing for an appointment booked less than REMINDER_MIN_NOTICE_HOURS ahead, and no reminder
  that would already be due when booked.
- Quiet hours (21:00 to 08:00 London): a reminder due then goes at 08:00, or at 20:00 the evening
  before when 08:00 is too close to (or after) the appointment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
QUIET_START, QUIET_END = time(21), time(8)
EVENING_BEFORE = time(20)
#: 08:00 is "too late" when the appointment starts less than this after it.
MIN_LEAD = timedelta(minutes=60)


@dataclass(frozen=True)
class Offset:
    label: str
    delta: timedelta
    whole_days: bool


def parse_offsets(text: str) -> list[Offset]:
    """ "3d,1d" or "2d, 3h" -> offsets, largest first. Raises ValueError on anything else."""
    offsets = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        found = re.fullmatch(r"(\d{1,3})([dh])", part)
        if not found:
            raise ValueError(f"reminder offset {part!r}: use a number of days or hours, like 3d or 2h")
        n, unit = int(found.group(1)), found.group(2)
        if n == 0:
            raise ValueError("a reminder offset must be more than zero")
        offsets.append(Offset(part, timedelta(days=n) if unit == "d" else timedelta(hours=n), unit == "d"))
    return sorted(offsets, key=lambda o: o.delta, reverse=True)


def in_quiet_hours(at: datetime) -> bool:
    local = at.astimezone(LONDON).time()
    return local >= QUIET_START or local < QUIET_END


def out_of_quiet_hours(due: datetime, starts_at: datetime) -> datetime:
    """The due time moved out of quiet hours: to 08:00, or the evening before if that is too late."""
    if not in_quiet_hours(due):
        return due
    local = due.astimezone(LONDON)
    morning_day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    morning = datetime.combine(morning_day, QUIET_END, LONDON)
    if morning + MIN_LEAD <= starts_at.astimezone(LONDON):
        return morning.astimezone(UTC)
    return datetime.combine(morning_day - timedelta(days=1), EVENING_BEFORE, LONDON).astimezone(UTC)


def reminder_times(
    starts_at: datetime,
    booked_at: datetime,
    offsets: list[Offset],
    local_time: time = time(10),
    min_notice: timedelta = timedelta(hours=2),
) -> list[tuple[str, datetime]]:
    """(offset label, due time in UTC) for each reminder an appointment gets."""
    if starts_at - booked_at < min_notice:
        return []
    due_times: list[tuple[str, datetime]] = []
    start_local = starts_at.astimezone(LONDON)
    for offset in offsets:
        if offset.whole_days:
            day = start_local.date() - timedelta(days=offset.delta.days)
            due = datetime.combine(day, local_time, LONDON).astimezone(UTC)
        else:
            due = starts_at - offset.delta
        due = out_of_quiet_hours(due, starts_at)
        # Two offsets moved to the same morning make one reminder, not two.
        if booked_at < due < starts_at and due not in {d for _, d in due_times}:
            due_times.append((offset.label, due))
    return due_times


def followup_times(
    accepted_at: datetime, check_days: int, review_days: int, local_time: time = time(10)
) -> dict[str, datetime]:
    """The two-week check and the six-week review after a referral is accepted, at a daytime hour."""
    day = accepted_at.astimezone(LONDON).date()
    return {
        kind: datetime.combine(day + timedelta(days=days), local_time, LONDON).astimezone(UTC)
        for kind, days in (("followup_check", check_days), ("followup_review", review_days))
    }
