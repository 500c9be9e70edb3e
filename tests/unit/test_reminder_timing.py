"""When reminders and follow-ups are due: offsets, quiet hours, short notice, summer time.

Every function takes the time it needs, so these tests are the controllable clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from api.reminders.timing import (
    LONDON,
    followup_times,
    in_quiet_hours,
    out_of_quiet_hours,
    parse_offsets,
    reminder_times,
)

DEFAULT = parse_offsets("3d,1d")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def test_offsets_parse_and_sort_largest_first() -> None:
    assert [o.label for o in parse_offsets("1d, 3d,2h")] == ["3d", "1d", "2h"]
    for bad in ("3", "0d", "3 days", "-1d", "3m"):
        with pytest.raises(ValueError):
            parse_offsets(bad)


def test_default_reminders_are_three_days_and_one_day_before_at_ten() -> None:
    starts = london(2026, 12, 10, 14, 30)
    due = reminder_times(starts, london(2026, 11, 22, 12, 0), DEFAULT)
    assert [(label, at.astimezone(LONDON)) for label, at in due] == [
        ("3d", london(2026, 12, 7, 10, 0)),
        ("1d", london(2026, 12, 9, 10, 0)),
    ]


def test_local_time_holds_across_the_clock_change() -> None:
    # The clocks go back on 25 October 2026: 10:00 London is 09:00 UTC before, 10:00 UTC after.
    due = dict(reminder_times(london(2026, 10, 27, 15, 0), london(2026, 10, 1, 9, 0), DEFAULT))
    assert due["3d"] == datetime(2026, 10, 24, 9, 0, tzinfo=UTC)
    assert due["1d"] == datetime(2026, 10, 26, 10, 0, tzinfo=UTC)


def test_no_reminders_for_an_appointment_booked_less_than_two_hours_ahead() -> None:
    booked = london(2026, 12, 1, 9, 0)
    assert reminder_times(booked + timedelta(minutes=119), booked, parse_offsets("1h")) == []
    assert reminder_times(booked + timedelta(minutes=121), booked, parse_offsets("1h")) != []


def test_a_reminder_already_past_when_booked_is_not_sent() -> None:
    due = reminder_times(london(2026, 12, 3, 11, 0), london(2026, 12, 1, 15, 0), DEFAULT)
    assert [label for label, _ in due] == ["1d"]


def test_quiet_hours_move_a_reminder_to_eight_in_the_morning() -> None:
    starts = london(2026, 12, 3, 11, 0)
    due = dict(reminder_times(starts, london(2026, 11, 1, 9, 0), parse_offsets("12h")))
    assert due["12h"].astimezone(LONDON) == london(2026, 12, 3, 8, 0)  # 23:00 is quiet


def test_when_eight_is_too_late_the_reminder_goes_the_evening_before() -> None:
    starts = london(2026, 12, 3, 8, 30)
    due = dict(reminder_times(starts, london(2026, 11, 1, 9, 0), parse_offsets("3h")))
    assert due["3h"].astimezone(LONDON) == london(2026, 12, 2, 20, 0)


@pytest.mark.parametrize(
    ("hour", "quiet"), [(20, False), (21, True), (23, True), (0, True), (7, True), (8, False), (12, False)]
)
def test_quiet_hours_are_nine_at_night_to_eight_in_the_morning(hour: int, quiet: bool) -> None:
    assert in_quiet_hours(london(2026, 7, 1, hour, 0)) is quiet


def test_outside_quiet_hours_nothing_moves() -> None:
    at = london(2026, 12, 2, 10, 15)
    assert out_of_quiet_hours(at, at + timedelta(days=1)) == at


def test_two_offsets_moved_to_the_same_morning_make_one_reminder() -> None:
    starts = london(2026, 12, 3, 9, 30)
    due = reminder_times(starts, london(2026, 11, 1, 9, 0), parse_offsets("10h,11h"))
    assert len(due) == 1


def test_follow_ups_are_two_and_six_weeks_after_acceptance_in_the_daytime() -> None:
    accepted = london(2026, 11, 22, 22, 45)
    due = followup_times(accepted, 14, 42, time(10))
    assert due["followup_check"].astimezone(LONDON) == london(2026, 12, 6, 10, 0)
    assert due["followup_review"].astimezone(LONDON) == london(2027, 1, 3, 10, 0)
