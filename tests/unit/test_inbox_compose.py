"""How a practitioner's reply may go: STOP, safe contact ways and times, WhatsApp's 24 hours."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api.db.models import Contact, Conversation
from api.inbox.compose import (
    CANNED,
    CANNED_KEYS,
    WHATSAPP_WINDOW,
    Plan,
    ReplyRefused,
    plan,
    sms_info,
    template_variables,
    whatsapp_window_open,
)
from api.messages import MESSAGES

LONDON = ZoneInfo("Europe/London")
#: Monday 23 November 2026, 10:00 in London (GMT, so also 10:00 UTC).
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON).astimezone(UTC)
TEMPLATES = {"canned_wait": "HX123"}


def conversation(channel: str = "sms", ago: timedelta | None = timedelta(minutes=10)) -> Conversation:
    return Conversation(channel=channel, owner="human", last_inbound_at=None if ago is None else NOW - ago)


def contact(phone_valid: bool = True, opted_out_at: datetime | None = None) -> Contact:
    return Contact(phone="+447911123456", phone_valid=phone_valid, opted_out_at=opted_out_at)


def test_an_opted_out_resident_gets_nothing() -> None:
    with pytest.raises(ReplyRefused, match="STOP"):
        plan(conversation(), contact(opted_out_at=NOW - timedelta(days=1)), {}, None, {}, NOW)


def test_a_number_that_cannot_receive_is_refused() -> None:
    with pytest.raises(ReplyRefused, match="no number"):
        plan(conversation(), contact(phone_valid=False), {}, None, {}, NOW)


def test_a_live_exchange_goes_now() -> None:
    assert plan(conversation(), contact(), {}, None, {}, NOW) == Plan(content_sid=None, not_before=None)


def test_a_live_exchange_goes_now_whatever_the_referral_said() -> None:
    prefs = {"contact_ways": ["whatsapp"], "contact_times": ["evening"]}
    assert plan(conversation("sms"), contact(), prefs, None, {}, NOW) == Plan(None, None)


def test_a_stored_naive_time_counts_as_utc() -> None:
    # SQLite gives back naive datetimes; 10 minutes ago in UTC is still a live exchange.
    talk = Conversation(
        channel="sms", owner="human", last_inbound_at=(NOW - timedelta(minutes=10)).replace(tzinfo=None)
    )
    assert plan(talk, contact(), {"contact_times": ["evening"]}, None, {}, NOW).not_before is None


def test_later_only_on_a_channel_the_resident_chose() -> None:
    prefs = {"contact_ways": ["whatsapp"]}
    with pytest.raises(ReplyRefused, match="did not choose sms"):
        plan(conversation("sms", timedelta(days=3)), contact(), prefs, None, {}, NOW)


def test_later_on_a_chosen_channel_inside_the_chosen_time_goes_now() -> None:
    prefs = {"contact_ways": ["sms", "call"], "contact_times": ["morning"]}
    assert plan(conversation("sms", timedelta(days=3)), contact(), prefs, None, {}, NOW) == Plan(None, None)


def test_later_waits_for_the_chosen_time() -> None:
    prefs = {"contact_times": ["evening"]}
    how = plan(conversation("sms", timedelta(days=3)), contact(), prefs, None, {}, NOW)
    assert how.content_sid is None
    assert how.not_before == datetime(2026, 11, 23, 17, 0, tzinfo=LONDON).astimezone(UTC)
    assert how.not_before == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def test_later_waits_for_the_chosen_time_in_summer() -> None:
    now = datetime(2026, 6, 15, 10, 0, tzinfo=LONDON).astimezone(UTC)
    talk = Conversation(channel="sms", owner="human", last_inbound_at=now - timedelta(days=3))
    how = plan(talk, contact(), {"contact_times": ["evening"]}, None, {}, now)
    assert how.not_before == datetime(2026, 6, 15, 16, 0, tzinfo=UTC)


def test_never_written_is_not_live() -> None:
    with pytest.raises(ReplyRefused):
        plan(conversation("sms", None), contact(), {"contact_ways": ["call"]}, None, {}, NOW)


def test_the_live_exchange_ends_after_an_hour() -> None:
    prefs: dict[str, Any] = {"contact_ways": ["whatsapp"]}
    assert plan(conversation("sms", timedelta(minutes=59)), contact(), prefs, None, {}, NOW) == Plan(
        None, None
    )
    with pytest.raises(ReplyRefused):
        plan(conversation("sms", timedelta(minutes=61)), contact(), prefs, None, {}, NOW)


def test_whatsapp_free_text_after_24_hours_is_refused() -> None:
    with pytest.raises(ReplyRefused, match="24-hour window"):
        plan(conversation("whatsapp", timedelta(hours=25)), contact(), {}, None, TEMPLATES, NOW)


def test_whatsapp_canned_reply_without_a_template_after_24_hours_is_refused() -> None:
    with pytest.raises(ReplyRefused, match="24-hour window"):
        plan(conversation("whatsapp", timedelta(hours=25)), contact(), {}, "canned_bye", TEMPLATES, NOW)


def test_whatsapp_canned_reply_with_a_template_after_24_hours_uses_it() -> None:
    how = plan(conversation("whatsapp", timedelta(hours=25)), contact(), {}, "canned_wait", TEMPLATES, NOW)
    assert how.content_sid == "HX123"


def test_whatsapp_within_24_hours_sends_plain_text() -> None:
    talk = conversation("whatsapp", timedelta(hours=2))
    assert plan(talk, contact(), {}, "canned_wait", TEMPLATES, NOW).content_sid is None
    assert plan(talk, contact(), {}, None, TEMPLATES, NOW).content_sid is None


def test_sms_never_uses_a_template() -> None:
    how = plan(conversation("sms", timedelta(hours=25)), contact(), {}, "canned_wait", TEMPLATES, NOW)
    assert how.content_sid is None


def test_whatsapp_free_text_is_not_held_past_the_window() -> None:
    # The resident wrote 23 hours ago (window open for one more hour) and chose evenings:
    # the reply would be held until 17:00, 30 hours after their message.
    talk = conversation("whatsapp", timedelta(hours=23))
    last = NOW - timedelta(hours=23)
    try:
        how = plan(talk, contact(), {"contact_times": ["evening"]}, None, TEMPLATES, NOW)
    except ReplyRefused:
        return
    goes_at = how.not_before or NOW
    assert how.content_sid is not None or goes_at < last + WHATSAPP_WINDOW


@pytest.mark.parametrize(
    ("ago", "open_"), [(None, False), (timedelta(hours=2), True), (timedelta(hours=25), False)]
)
def test_whatsapp_window(ago: timedelta | None, open_: bool) -> None:
    assert whatsapp_window_open(conversation("whatsapp", ago), NOW) is open_


def test_whatsapp_window_closes_at_24_hours() -> None:
    assert whatsapp_window_open(conversation("whatsapp", WHATSAPP_WINDOW - timedelta(seconds=1)), NOW)
    assert not whatsapp_window_open(conversation("whatsapp", WHATSAPP_WINDOW), NOW)


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("hello", "GSM-7", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("I’m here", "UCS-2", 1),
        ("’" * 70, "UCS-2", 1),
        ("’" * 71, "UCS-2", 2),
        ("€" * 80, "GSM-7", 1),
        ("€" * 81, "GSM-7", 2),
    ],
)
def test_sms_info(text: str, encoding: str, segments: int) -> None:
    assert sms_info(text) == {"characters": len(text), "encoding": encoding, "segments": segments}


def test_a_curly_apostrophe_forces_ucs2() -> None:
    assert sms_info("I'm here")["encoding"] == "GSM-7"
    assert sms_info("I’m here")["encoding"] == "UCS-2"


def test_template_variables() -> None:
    assert template_variables({"name": "Sam"}) == '{"1": "Sam"}'
    assert json.loads(template_variables({"name": "Sam", "n": 2})) == {"1": "Sam", "2": "2"}
    assert template_variables(None) == "{}"


def test_canned_replies() -> None:
    shortcuts = [c.shortcut for c in CANNED]
    assert len(set(shortcuts)) == len(shortcuts)
    assert all(s.startswith("/") and len(s) > 1 and " " not in s for s in shortcuts)
    assert len(CANNED_KEYS) == len(CANNED)
    for canned in CANNED:
        assert canned.key in MESSAGES, canned.key
        assert CANNED_KEYS[canned.key] is canned
        assert canned.label
