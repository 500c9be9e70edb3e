"""The pure parts of api/rights.py: which appointment is next, what is said about data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from babel.dates import format_skeleton

from api.i18n import render
from api.inbox.handoff import REASONS
from api.inbox.pages import REASON_LABELS
from api.languages import load_languages
from api.rights import appointment_reply, data_held_reply, next_appointment
from api.worker.keywords import may_send

NOW = datetime(2027, 3, 25, 9, 0, tzinfo=UTC)


@dataclass
class Appt:
    starts_at: datetime
    status: str = "booked"
    kind: str = "gp"
    place: str = "Green Street Surgery"
    with_whom: str = ""


def test_the_next_appointment_is_the_soonest_still_on_and_ahead() -> None:
    past = Appt(NOW - timedelta(hours=1))
    cancelled = Appt(NOW + timedelta(days=1), status="cancelled")
    later = Appt(NOW + timedelta(days=9))
    soon = Appt(NOW + timedelta(days=3), status="confirmed")
    assert next_appointment([past, later, cancelled, soon], NOW) is soon
    assert next_appointment([past, cancelled], NOW) is None
    assert next_appointment([], NOW) is None
    # SQLite hands back naive datetimes in UTC.
    naive = Appt((NOW + timedelta(days=2)).replace(tzinfo=None))
    assert next_appointment([later, naive], NOW) is naive


def test_none_booked_says_so_and_offers_a_person_in_every_language() -> None:
    assert appointment_reply(None).key == "appt_none"
    for code in load_languages():
        key, text = render("appt_none", code)
        assert key == "appt_none" and "0" in text


@pytest.mark.parametrize(
    ("code", "locale", "month"), [("en", "en_GB", "April"), ("pl", "pl", "kwietnia"), ("ro", "ro", "aprilie")]
)
def test_the_next_appointment_is_written_the_residents_way_in_london_time(
    code: str, locale: str, month: str
) -> None:
    # 13:30 UTC on 1 April 2027 is 14:30 in London (summer time).
    reply = appointment_reply(Appt(datetime(2027, 4, 1, 13, 30, tzinfo=UTC), place="Oak Library"))
    key, text = render(reply.key, code, reply.params)
    assert key == "appt_next"
    assert "14:30" in text and "13:30" not in text
    assert month in text and "Oak Library" in text
    assert format_skeleton("EEEE", datetime(2027, 4, 1, 12), locale=locale) in text
    assert "0" in text  # how to change it: a person


def test_what_is_held_follows_the_retention_setting() -> None:
    kept = data_held_reply(0, 7)
    assert kept.key == "data_held" and kept.params == {"form_days": 7}
    limited = data_held_reply(90, 7)
    assert limited.key == "data_held_days" and limited.params == {"days": 90, "form_days": 7}
    for code in load_languages():
        _, text = render(limited.key, code, limited.params)
        assert "90" in text and "7" in text, code
        _, text = render(kept.key, code, kept.params)
        assert "7" in text and "%" not in text, code


def test_only_the_opt_out_confirmation_goes_to_a_number_that_opted_out() -> None:
    @dataclass
    class Out:
        opted_out_at: datetime | None = NOW

    assert may_send(Out(), "optout_confirmed")  # type: ignore[arg-type]
    assert not may_send(Out(), "optout_ask")  # type: ignore[arg-type]
    assert not may_send(Out(), "appt_next")  # type: ignore[arg-type]


def test_every_handoff_reason_has_a_label_in_the_inbox() -> None:
    assert "data_copy" in REASONS
    assert set(REASONS) <= set(REASON_LABELS)
