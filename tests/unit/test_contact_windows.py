"""Messages we start wait for a time the resident said is safe (Europe/London)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.contact_windows import next_allowed

WINTER = datetime(2026, 11, 22, tzinfo=UTC)  # London is on UTC
SUMMER = datetime(2026, 7, 1, tzinfo=UTC)  # London is UTC+1


@pytest.mark.parametrize(
    ("hour", "chosen", "expected_hour", "next_day"),
    [
        (10, ["morning"], None, False),
        (13, ["morning"], 9, True),
        (13, ["evening"], 17, False),
        (22, ["evening"], 17, True),
        (3, ["any"], 9, False),
        (3, [], 9, False),
        (13, ["morning", "evening"], 17, False),
        (18, ["afternoon", "evening"], None, False),
    ],
)
def test_the_next_safe_time(hour: int, chosen: list[str], expected_hour: int | None, next_day: bool) -> None:
    found = next_allowed(WINTER.replace(hour=hour), chosen)
    if expected_hour is None:
        assert found is None
    else:
        assert found is not None and found.hour == expected_hour and found.day == 22 + next_day


def test_london_summer_time_is_used() -> None:
    # 07:30 UTC is 08:30 in London in July: the morning window opens at 09:00 London, 08:00 UTC.
    found = next_allowed(SUMMER.replace(hour=7, minute=30), ["morning"])
    assert found == SUMMER.replace(hour=8)
