"""The team's opening hours (Europe/London, bank holidays) and what a resident is told at handoff."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime

from api.i18n import render
from api.inbox.handoff import reply_for
from api.inbox.hours import OpeningHours, load_hours

ROOT = Path(__file__).resolve().parents[2]
LONDON = ZoneInfo("Europe/London")
HOURS = load_hours(ROOT / "directory" / "service" / "opening_hours.yml")


def london(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A London wall-clock time, converted to UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def test_the_real_file_is_read() -> None:
    assert HOURS.week[0] == (time(9), time(17))
    assert HOURS.week[4] == (time(9), time(16, 30))
    assert 5 not in HOURS.week and 6 not in HOURS.week
    assert date(2026, 12, 24) in HOURS.closed
    assert HOURS.bank_holidays == "ENG"
    assert HOURS.usual_wait == timedelta(minutes=120)
    assert HOURS.tz == LONDON


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        # Monday 23 November 2026: London is on GMT.
        (datetime(2026, 11, 23, 9, 0, tzinfo=UTC), True),
        (datetime(2026, 11, 23, 16, 59, tzinfo=UTC), True),
        (datetime(2026, 11, 23, 8, 30, tzinfo=UTC), False),
        (datetime(2026, 11, 23, 17, 0, tzinfo=UTC), False),
        # Monday 15 June 2026: London is on BST, so 08:30 UTC is 09:30 there.
        (datetime(2026, 6, 15, 8, 30, tzinfo=UTC), True),
        (datetime(2026, 6, 15, 7, 30, tzinfo=UTC), False),
        (datetime(2026, 6, 15, 16, 30, tzinfo=UTC), False),
        # Friday closes at 16:30 London.
        (london(2026, 11, 27, 16, 29), True),
        (london(2026, 11, 27, 16, 30), False),
        (london(2026, 6, 19, 16, 15), True),
        (london(2026, 6, 19, 16, 45), False),
        # Weekend.
        (london(2026, 11, 21, 12, 0), False),
        (london(2026, 11, 22, 12, 0), False),
        # Bank holidays in England (Christmas, Boxing Day observed, Spring bank holiday).
        (london(2026, 12, 25, 11, 0), False),
        (london(2026, 12, 28, 11, 0), False),
        (london(2026, 5, 25, 11, 0), False),
        # The service's own closed days.
        (london(2026, 12, 24, 11, 0), False),
        (london(2026, 12, 31, 11, 0), False),
        # An ordinary day around them is open.
        (london(2026, 12, 23, 11, 0), True),
        (london(2026, 5, 26, 11, 0), True),
    ],
)
def test_is_open(at: datetime, is_open: bool) -> None:
    assert HOURS.is_open(at) is is_open


def test_next_open_is_now_when_open() -> None:
    at = datetime(2026, 6, 15, 8, 30, tzinfo=UTC)
    assert HOURS.next_open(at) == at


@pytest.mark.parametrize(
    ("at", "opens"),
    [
        # Before opening, the same day: 09:00 GMT, and 09:00 BST (08:00 UTC) in summer.
        (datetime(2026, 11, 23, 8, 30, tzinfo=UTC), datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
        (datetime(2026, 6, 15, 7, 30, tzinfo=UTC), datetime(2026, 6, 15, 8, 0, tzinfo=UTC)),
        # After closing, the next morning.
        (london(2026, 11, 23, 17, 0), london(2026, 11, 24, 9, 0)),
        # Friday after its earlier close, and the weekend: Monday 09:00 London.
        (london(2026, 11, 27, 16, 30), london(2026, 11, 30, 9, 0)),
        (london(2026, 11, 21, 12, 0), london(2026, 11, 23, 9, 0)),
        (london(2026, 11, 22, 23, 59), london(2026, 11, 23, 9, 0)),
        (london(2026, 6, 20, 12, 0), datetime(2026, 6, 22, 8, 0, tzinfo=UTC)),
        # Spring bank holiday (Monday): Tuesday.
        (london(2026, 5, 25, 11, 0), london(2026, 5, 26, 9, 0)),
        # Christmas: 24 (own closed day), 25 (bank holiday), weekend, 28 (Boxing Day observed).
        (london(2026, 12, 23, 17, 30), london(2026, 12, 29, 9, 0)),
        (london(2026, 12, 24, 10, 0), london(2026, 12, 29, 9, 0)),
        (london(2026, 12, 25, 10, 0), london(2026, 12, 29, 9, 0)),
        (london(2026, 12, 28, 10, 0), london(2026, 12, 29, 9, 0)),
        # 31 December (own closed day), then New Year's Day (next year's calendar), weekend.
        (london(2026, 12, 31, 10, 0), london(2027, 1, 4, 9, 0)),
    ],
)
def test_next_open(at: datetime, opens: datetime) -> None:
    found = HOURS.next_open(at)
    assert found == opens
    assert found.utcoffset() == timedelta(0)
    assert HOURS.is_open(found)


def test_christmas_rolls_to_the_29th_at_nine_london() -> None:
    found = HOURS.next_open(london(2026, 12, 24, 10, 0)).astimezone(LONDON)
    assert (found.date(), found.time()) == (date(2026, 12, 29), time(9))


def test_next_open_fails_when_never_open() -> None:
    every_day = frozenset(date(2026, 11, 23) + timedelta(days=n) for n in range(61))
    hours = OpeningHours(week={0: (time(9), time(17))}, closed=every_day)
    with pytest.raises(ValueError, match="never open"):
        hours.next_open(datetime(2026, 11, 23, 8, tzinfo=UTC))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hours.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_file_takes_the_defaults(tmp_path: Path) -> None:
    hours = load_hours(_write(tmp_path, 'week:\n  tuesday: "10:00-12:30"\n'))
    assert hours.week == {1: (time(10), time(12, 30))}
    assert hours.closed == frozenset()
    assert hours.bank_holidays == "ENG"
    assert hours.usual_wait == timedelta(hours=2)
    assert hours.tz == LONDON


def test_a_file_with_its_own_settings(tmp_path: Path) -> None:
    text = (
        "timezone: Europe/Dublin\nusual_wait_minutes: 45\nbank_holidays: SCT\n"
        'week:\n  sunday: "08:00-09:00"\nclosed:\n  - 2026-11-29\n'
    )
    hours = load_hours(_write(tmp_path, text))
    assert hours.week == {6: (time(8), time(9))}
    assert hours.closed == {date(2026, 11, 29)}
    assert hours.bank_holidays == "SCT"
    assert hours.usual_wait == timedelta(minutes=45)
    assert hours.tz == ZoneInfo("Europe/Dublin")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('week:\n  mondy: "09:00-17:00"\n', "not a day of the week"),
        ('week:\n  Monday: "09:00-17:00"\n', "not a day of the week"),
        ('week:\n  monday: "17:00-09:00"\n', "end is not after the start"),
        ('week:\n  monday: "09:00-09:00"\n', "end is not after the start"),
        ("week: {}\n", "no opening hours"),
        ("timezone: Europe/London\n", "no opening hours"),
        ("", "no opening hours"),
    ],
)
def test_bad_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_hours(_write(tmp_path, text))


def test_reply_when_open_gives_the_usual_wait() -> None:
    reply = reply_for(HOURS, datetime(2026, 11, 23, 10, tzinfo=UTC))
    assert reply.key == "handoff_open"
    assert reply.params == {"wait_minutes": 120}


def test_reply_when_open_uses_the_configured_wait() -> None:
    hours = OpeningHours(week={0: (time(9), time(17))}, usual_wait=timedelta(minutes=45))
    assert reply_for(hours, datetime(2026, 11, 23, 10, tzinfo=UTC)).params == {"wait_minutes": 45}


@pytest.mark.parametrize(
    "now",
    [
        london(2026, 11, 21, 12, 0),
        datetime(2026, 6, 15, 7, 30, tzinfo=UTC),
        london(2026, 12, 24, 10, 0),
    ],
)
def test_reply_when_closed_says_when_the_team_is_back(now: datetime) -> None:
    reply = reply_for(HOURS, now)
    assert reply.key == "handoff_closed"
    assert set(reply.params) == {"opens_at"}
    assert reply.params["opens_at"] == HOURS.next_open(now).isoformat()
    assert datetime.fromisoformat(reply.params["opens_at"]) == HOURS.next_open(now)


def test_reply_on_a_saturday_names_monday_nine() -> None:
    reply = reply_for(HOURS, london(2026, 11, 21, 12, 0))
    assert reply.params == {"opens_at": "2026-11-23T09:00:00+00:00"}


def test_rendered_open_message_gives_the_wait_in_words() -> None:
    key, text = render("handoff_open", "en", {"wait_minutes": 120})
    assert key == "handoff_open"
    assert "2 hours" in text
    assert "%(" not in text


def test_rendered_closed_message_gives_the_day_and_time() -> None:
    key, text = render("handoff_closed", "en", {"opens_at": "2026-11-23T09:00:00+00:00"})
    assert key == "handoff_closed"
    assert "Monday 09:00" in text
    assert "%(" not in text


def test_rendered_closed_message_is_in_london_time() -> None:
    # 08:00 UTC on a June Monday is 09:00 in London.
    _, text = render("handoff_closed", "en", {"opens_at": "2026-06-22T08:00:00+00:00"})
    assert "Monday 09:00" in text


@pytest.mark.parametrize("language", ["ur", "pl"])
def test_rendered_closed_message_in_other_languages(language: str) -> None:
    opens_at = "2026-11-23T09:00:00+00:00"
    _, english = render("handoff_closed", "en", {"opens_at": opens_at})
    key, text = render("handoff_closed", language, {"opens_at": opens_at})
    weekday = format_datetime(datetime.fromisoformat(opens_at), "EEEE", tzinfo=LONDON, locale=language)
    assert key == "handoff_closed"
    assert weekday != "Monday"
    assert text != english
    assert weekday in text
    assert "09:00" in text
    assert "Monday" not in text


@pytest.mark.parametrize("language", ["ur", "pl"])
def test_rendered_open_message_in_other_languages(language: str) -> None:
    _, english = render("handoff_open", "en", {"wait_minutes": 120})
    key, text = render("handoff_open", language, {"wait_minutes": 120})
    assert key == "handoff_open"
    assert text != english
    assert "2" in text and "hours" not in text


def test_a_service_that_works_bank_holidays(tmp_path: Path) -> None:
    text = 'bank_holidays: none\nweek:\n  friday: "09:00-16:30"\n'
    hours = load_hours(_write(tmp_path, text))
    christmas = london(2026, 12, 25, 11, 0)
    assert hours.is_open(christmas)
    assert not HOURS.is_open(christmas)
