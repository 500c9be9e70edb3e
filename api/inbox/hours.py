"""Opening hours of the team (configuration), bank holidays included.

Pure: the caller passes the time. Bank holidays come from the `holidays` package's UK
calendar for the configured nation, so nobody has to type next year's dates in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import yaml

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class OpeningHours:
    week: dict[int, tuple[time, time]]
    closed: frozenset[date] = frozenset()
    bank_holidays: str = "ENG"
    usual_wait: timedelta = timedelta(hours=2)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))

    def closed_on(self, day: date) -> bool:
        return day in self.closed or day in _bank_holidays(self.bank_holidays, day.year)

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.tz)
        hours = self.week.get(local.weekday())
        return hours is not None and not self.closed_on(local.date()) and hours[0] <= local.time() < hours[1]

    def next_open(self, at: datetime) -> datetime:
        """When the team is next in (UTC): now if open, else the next opening time."""
        if self.is_open(at):
            return at
        local = at.astimezone(self.tz)
        for days in range(0, 60):
            day = local.date() + timedelta(days=days)
            hours = self.week.get(day.weekday())
            if hours is None or self.closed_on(day):
                continue
            opens = datetime.combine(day, hours[0], self.tz)
            if opens > local:
                return opens.astimezone(UTC)
        raise ValueError("the team is never open in the next 60 days: check the opening hours")


@cache
def _bank_holidays(region: str, year: int) -> frozenset[date]:
    if region.lower() in ("", "none"):
        return frozenset()  # a service that works bank holidays
    return frozenset(holidays.country_holidays("GB", subdiv=region, years=year))


def _span(text: str) -> tuple[time, time]:
    start, end = (time.fromisoformat(part.strip()) for part in str(text).split("-"))
    if end <= start:
        raise ValueError(f"opening hours {text!r}: the end is not after the start")
    return start, end


def load_hours(path: Path) -> OpeningHours:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    week = {}
    for name, span in (data.get("week") or {}).items():
        if name not in DAYS:
            raise ValueError(f"{path}: {name!r} is not a day of the week")
        week[DAYS.index(name)] = _span(span)
    if not week:
        raise ValueError(f"{path}: no opening hours")
    return OpeningHours(
        week=week,
        closed=frozenset(date.fromisoformat(str(d)) for d in data.get("closed") or []),
        bank_holidays=str(data.get("bank_holidays", "ENG")),
        usual_wait=timedelta(minutes=int(data.get("usual_wait_minutes", 120))),
        tz=ZoneInfo(str(data.get("timezone", "Europe/London"))),
    )
