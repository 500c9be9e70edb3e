"""The urgent lane's pure rules: what is urgent at intake, what the resident is told about
when a person reads it, and what the on-call alert may carry."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from api.config import DEV_AUTH_TOKEN, Settings
from api.gateway.intake import _is_urgent
from api.gateway.parsing import InboundMessage, parse_address
from api.i18n import render
from api.inbox.hours import OpeningHours
from api.languages import load_languages
from api.safety.step import team_line
from api.worker.oncall import alert_text

HOURS = OpeningHours(week={0: (time(9), time(17))}, usual_wait=timedelta(minutes=90), bank_holidays="none")
MONDAY_10 = datetime(2026, 11, 23, 10, tzinfo=UTC)
SATURDAY = datetime(2026, 11, 21, 12, tzinfo=UTC)


def _inbound(body: str) -> InboundMessage:
    return InboundMessage(sid="SM" + "0" * 32, address=parse_address("+447911123456"), body=body)


@pytest.mark.parametrize(
    ("body", "urgent"),
    [
        ("I want to kill myself", True),
        ("chcę się zabić", True),
        ("", False),
        ("   ", False),
        ("can you help me with my rent", False),
    ],
)
def test_the_gateway_screens_each_message_at_intake(body: str, urgent: bool) -> None:
    assert _is_urgent(_inbound(body)) is urgent


def test_open_hours_name_the_usual_wait() -> None:
    line = team_line(["suicide_self_harm"], HOURS, MONDAY_10)
    assert line is not None and line.key == "safety_team_open"
    assert line.params == {"wait_minutes": 90}


def test_closed_hours_name_when_a_person_reads_it() -> None:
    line = team_line(["child_at_risk"], HOURS, SATURDAY)
    assert line is not None and line.key == "safety_team_closed"
    assert line.params == {"opens_at": HOURS.next_open(SATURDAY).isoformat()}
    _, text = render(line.key, "en", line.params)
    assert "Monday 09:00" in text
    assert "numbers above" in text


def test_domestic_abuse_gets_nothing_more_on_the_phone() -> None:
    assert team_line(["domestic_abuse"], HOURS, SATURDAY) is None
    assert team_line([], HOURS, SATURDAY) is None


@pytest.mark.parametrize("language", sorted(load_languages()))
def test_the_when_lines_render_in_every_language(language: str) -> None:
    for key, params in (
        ("safety_team_open", {"wait_minutes": 120}),
        ("safety_team_closed", {"opens_at": "2026-11-23T09:00:00+00:00"}),
    ):
        used, text = render(key, language, params)
        assert used == key
        assert "%(" not in text and "{" not in text
        assert ("09:00" in text) is (key == "safety_team_closed")


@pytest.mark.parametrize("language", sorted(load_languages()))
def test_no_urgent_route_promises_a_reader(language: str) -> None:
    """The promise moved to the when-line, which is true to the hours."""
    for key in ("safety_suicide_self_harm", "safety_immediate_danger", "safety_child_at_risk"):
        _, english = render(key, "en")
        _, text = render(key, language)
        assert "will read" not in english
        assert "999" in text


def test_the_alert_names_the_kind_and_the_link_only() -> None:
    text = alert_text("suicide_self_harm", "https://wellbeing.example.org/inbox/conversations/42")
    assert "suicide or self-harm" in text
    assert text.endswith("https://wellbeing.example.org/inbox/conversations/42")
    assert len(text) <= 160  # one SMS part


def test_a_mistyped_oncall_number_is_refused_at_start() -> None:
    base = {"twilio_auth_token": DEV_AUTH_TOKEN, "rasa_token": "dev-only-rasa-token", "_env_file": None}
    assert Settings(**base, oncall_alert_to="whatsapp:+447911123456").oncall_alert_to  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="ONCALL_ALERT_TO"):
        Settings(**base, oncall_alert_to="07911 65432")  # type: ignore[arg-type]
