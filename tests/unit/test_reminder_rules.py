"""Who a reminder may reach and how a reply is read (pure parts of api/reminders)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.db.models import Contact, Conversation
from api.reminders.reach import reach
from api.reminders.replies import reading, word_table

NOON = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
NIGHT = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)


def contact(**kw: object) -> Contact:
    return Contact(
        phone="+447911123456", phone_valid=kw.get("phone_valid", True), opted_out_at=kw.get("opted_out_at")
    )


def conversation(channel: str = "sms") -> Conversation:
    return Conversation(channel=channel)


def test_opted_out_or_no_number_means_no_message() -> None:
    assert reach(contact(opted_out_at=NOON), conversation(), {}, NOON).reason == "opted_out"
    assert reach(contact(phone_valid=False), conversation(), {}, NOON).reason == "no_number"


def test_only_a_channel_the_resident_chose() -> None:
    assert reach(contact(), conversation("sms"), {"contact_ways": ["sms"]}, NOON).channel == "sms"
    assert (
        reach(contact(), conversation("whatsapp"), {"contact_ways": ["sms", "call"]}, NOON).channel == "sms"
    )
    assert reach(contact(), conversation("sms"), {"contact_ways": ["whatsapp"]}, NOON).channel == "whatsapp"
    calls = reach(contact(), conversation("sms"), {"contact_ways": ["call"]}, NOON)
    assert (calls.channel, calls.reason) == (None, "no_safe_channel")
    assert reach(contact(), conversation("whatsapp"), {}, NOON).channel == "whatsapp"  # no choice made


def test_only_in_the_residents_time_window() -> None:
    assert reach(contact(), conversation(), {"contact_times": ["afternoon"]}, NOON).not_before is None
    later = reach(contact(), conversation(), {"contact_times": ["evening"]}, NOON).not_before
    assert later == datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    assert reach(contact(), conversation(), {}, NIGHT).not_before == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("1", "1"),
        (" 3. ", "3"),
        ("১", "1"),  # Bengali digit
        ("۲", "2"),  # Arabic-Indic digit
        ("10", "10"),
        ("11", None),
        ("confirm", "confirm"),
        ("Cancel!", "cancel"),
        ("yes", "yes"),
        ("please cancel my appointment", None),
    ],
)
def test_replies_are_read_as_numbers_or_whole_words(text: str, read: str | None) -> None:
    assert reading(text) == read


def test_every_language_brings_its_own_reply_words_without_clashes() -> None:
    table = word_table()
    assert table["anuluj"] == "cancel"  # Polish: also a STOP word, but a reminder reply wins
    assert table["odwoluje"] == "cancel"  # accents folded
    kinds = {kind for kind in table.values()}
    assert kinds == {"confirm", "change", "cancel", "yes", "no", "help"}
    english = {"confirm", "change", "cancel", "yes", "ok", "no", "help"}
    assert english <= set(table)
    assert len([w for w in table if w not in english]) >= 15  # translations arrived
