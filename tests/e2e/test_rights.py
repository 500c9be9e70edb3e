"""Stop texting me, what data do you hold, delete my data, when is my appointment: through
the webhook, the real bot and the worker, in English and other languages."""

from __future__ import annotations

from typing import Any

import pytest

from api.i18n import render
from scripts.stack import Stack
from tests.e2e.test_referral import phrases
from tests.reminder_support import appointments, book
from tests.support import (
    Database,
    Gateway,
    Resident,
    converse,
    keys,
    referral_answers,
    release_deferred,
    unanswered,
)

pytestmark = pytest.mark.stack

#: tests/conftest.py runs the stack with RETENTION_DAYS=365 and BOT_MEMORY_DAYS=7.
HELD = {"days": 365, "form_days": 7}


def resident_in(gateway: Gateway, db: Database, code: str) -> Resident:
    resident = Resident(gateway)
    if code == "en":
        converse(resident, db, "hello")
    else:
        assert keys(converse(resident, db, phrases(code)["lang_name"])) == ["language_set"]
    return resident


def contact_of(db: Database, resident: Resident) -> dict[str, Any]:
    [row] = db.rows("SELECT id, opted_out_at FROM contacts WHERE phone = :p", p=resident.number)
    return row


def conversation_of(db: Database, resident: Resident) -> dict[str, Any]:
    [row] = db.rows(
        "SELECT c.id, c.owner, c.handoff_reason FROM conversations c JOIN contacts p "
        "ON c.contact_id = p.id WHERE p.phone = :p",
        p=resident.number,
    )
    return row


def opted_out(db: Database, resident: Resident) -> bool:
    return contact_of(db, resident)["opted_out_at"] is not None


def erasure_requests(db: Database, resident: Resident) -> list[dict[str, Any]]:
    return db.rows(
        "SELECT status FROM erasure_requests WHERE contact_id = :c", c=contact_of(db, resident)["id"]
    )


def said(replies: list[dict[str, Any]], key: str, code: str, params: dict[str, Any] | None = None) -> bool:
    """One reply, with this key, in this language's words."""
    return keys(replies) == [key] and replies[0]["body"] == render(key, code, params)[1]


# --- "Stop texting me" ------------------------------------------------------------------------


def test_stop_texting_me_asks_first_then_opts_out_as_stop_does(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = resident_in(gateway, db, "en")
    assert said(converse(resident, db, "please stop messaging me"), "optout_ask", "en")
    assert not opted_out(db, resident)
    # NO keeps the messages coming.
    assert keys(converse(resident, db, "no")) == ["anything_else"]
    assert not opted_out(db, resident)

    assert keys(converse(resident, db, "stop texting me")) == ["optout_ask"]
    assert said(converse(resident, db, "yes"), "optout_confirmed", "en")
    assert opted_out(db, resident)
    # Exactly as after STOP: nothing more is sent, and START opts back in.
    assert unanswered(resident, db, "hello?") == []
    assert keys(converse(resident, db, "START")) == ["optin_confirmed"]
    assert not opted_out(db, resident)


def test_stop_the_questions_and_crying_never_opt_out(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident = resident_in(gateway, db, "en")
    assert keys(converse(resident, db, "stop the questions")) == ["anything_else"]
    for text in ("I can't stop crying", "i cant stop crying"):
        replies = keys(converse(resident, db, text))
        assert (
            "optout_ask" not in replies
            and "optout_confirmed" not in replies
            and "anything_else" not in replies
        )
    assert not opted_out(db, resident)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("pl", "nie piszcie już do mnie"),
        ("bn", "আমাকে আর মেসেজ করবেন না"),
        ("bn", "amake ar text korben na"),
        ("ur", "mujhe message mat bhejo"),
        ("ro", "nu-mi mai trimiteți mesaje"),
        ("pt", "parem de me enviar mensagens"),
    ],
)
def test_stop_texting_me_in_other_languages(
    healthy: Stack, gateway: Gateway, db: Database, code: str, text: str
) -> None:
    resident = resident_in(gateway, db, code)
    assert said(converse(resident, db, text), "optout_ask", code)
    assert not opted_out(db, resident)
    assert said(converse(resident, db, phrases(code)["yes"]), "optout_confirmed", code)
    assert opted_out(db, resident)


def test_stop_texting_me_in_the_referral_stops_the_questions_then_asks(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = resident_in(gateway, db, "en")
    assert keys(converse(resident, db, "i want to ask for help"))[-1] == "ask_ref_story"
    assert keys(converse(resident, db, "please stop messaging me")) == ["optout_ask"]
    assert keys(converse(resident, db, "yes")) == ["optout_confirmed"]
    assert opted_out(db, resident)


# --- What data do you hold, and a copy ---------------------------------------------------------


def test_what_data_you_hold_and_a_copy_goes_to_a_person_never_a_deletion(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = resident_in(gateway, db, "en")
    assert said(converse(resident, db, "what data do you have on me?"), "data_held_days", "en", HELD)
    assert conversation_of(db, resident)["owner"] == "bot"
    assert said(converse(resident, db, "yes"), "data_copy_requested", "en")
    conversation = conversation_of(db, resident)
    assert (conversation["owner"], conversation["handoff_reason"]) == ("waiting", "data_copy")
    assert db.rows(
        "SELECT id FROM audit_events WHERE conversation_id = :c AND action = 'data_copy_requested'",
        c=conversation["id"],
    )
    assert erasure_requests(db, resident) == []

    other = resident_in(gateway, db, "en")
    assert keys(converse(other, db, "can I have a copy of my data?")) == ["data_held_days"]
    assert keys(converse(other, db, "no")) == ["anything_else"]
    assert conversation_of(db, other)["owner"] == "bot" and erasure_requests(db, other) == []


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("pl", "jakie dane o mnie macie?"),
        ("ur", "میرے بارے میں آپ کے پاس کیا ڈیٹا ہے"),
        ("pt", "que dados têm sobre mim?"),
    ],
)
def test_what_data_you_hold_in_other_languages(
    healthy: Stack, gateway: Gateway, db: Database, code: str, text: str
) -> None:
    resident = resident_in(gateway, db, code)
    assert said(converse(resident, db, text), "data_held_days", code, HELD)
    assert said(converse(resident, db, phrases(code)["yes"]), "data_copy_requested", code)
    assert conversation_of(db, resident)["handoff_reason"] == "data_copy"
    assert erasure_requests(db, resident) == []


# --- Deleting asks first -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "text"),
    [("en", "delete my data"), ("pl", "usuńcie wszystkie moje dane"), ("ro", "ștergeți-mi datele")],
)
def test_deleting_asks_first_and_no_keeps_everything(
    healthy: Stack, gateway: Gateway, db: Database, code: str, text: str
) -> None:
    resident = resident_in(gateway, db, code)
    assert said(converse(resident, db, text), "erasure_confirm", code)
    assert erasure_requests(db, resident) == []
    assert said(converse(resident, db, phrases(code)["no"]), "erasure_kept", code)
    assert erasure_requests(db, resident) == []

    assert keys(converse(resident, db, text)) == ["erasure_confirm"]
    assert said(converse(resident, db, phrases(code)["yes"]), "erasure_requested", code)
    assert erasure_requests(db, resident) == [{"status": "pending"}]


# --- When is my appointment? -------------------------------------------------------------------


def booked(gateway: Gateway, db: Database, resident: Resident, **extra: Any) -> dict[str, Any]:
    """Book through the practitioners' API, and wait until the resident has the notice."""
    before = len(resident.outbox())
    appointment = book(gateway, resident.number, **extra)
    release_deferred(db, resident.number)
    assert resident.wait_replies(before + 1, timeout=30)[before]["key"] == "appt_booked"
    return appointment


def shown(appointment: dict[str, Any]) -> dict[str, Any]:
    return {"appointment": {k: appointment[k] for k in ("starts_at", "kind", "place", "with_whom")}}


def test_when_is_my_appointment_from_the_stored_appointments(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = resident_in(gateway, db, "en")
    assert said(converse(resident, db, "when is my appointment?"), "appt_none", "en")
    later = booked(gateway, db, resident, days=9, place="Oak Library", kind="library")
    sooner = booked(gateway, db, resident, days=4)
    replies = converse(resident, db, "when is my appointment?")
    assert said(replies, "appt_next", "en", shown(sooner))
    assert "14:30" in replies[0]["body"] and "Green Street Surgery" in replies[0]["body"]
    # The menu's "3" answers the same way.
    assert said(converse(resident, db, "3"), "appt_next", "en", shown(sooner))
    # Cancelled: the next one still on is given.
    before = len(resident.outbox())
    cancelled = appointments(gateway, "POST", f"/{sooner['id']}/cancel", json={"by": "Amina"})
    assert cancelled.status_code == 200
    release_deferred(db, resident.number)
    assert resident.wait_replies(before + 1, timeout=30)[before]["key"] == "appt_cancelled"
    assert said(converse(resident, db, "what day is my appointment"), "appt_next", "en", shown(later))


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("pl", "kiedy mam wizytę?"),
        ("ro", "când este programarea mea?"),
        ("bn", "আমার অ্যাপয়েন্টমেন্ট কবে"),
        ("ur", "meri appointment kab hai"),
    ],
)
def test_when_is_my_appointment_in_other_languages(
    healthy: Stack, gateway: Gateway, db: Database, code: str, text: str
) -> None:
    resident = resident_in(gateway, db, code)
    assert said(converse(resident, db, text), "appt_none", code)
    appointment = booked(gateway, db, resident)
    replies = converse(resident, db, text)
    assert said(replies, "appt_next", code, shown(appointment))
    assert replies[0]["body"] != render("appt_next", "en", shown(appointment))[1]


@pytest.mark.parametrize("answer", ["dont phone me just text", "no texts please call me"])
def test_how_to_contact_me_is_an_answer_in_the_form_not_an_opt_out(
    healthy: Stack, gateway: Gateway, db: Database, answer: str
) -> None:
    resident = resident_in(gateway, db, "en")
    converse(resident, db, "i want to ask for help")
    for earlier in referral_answers()[:8]:
        converse(resident, db, earlier)
    replies = keys(converse(resident, db, answer))
    assert "optout_ask" not in replies, replies
    # Taken by the form as an answer: its re-ask (words are not yet read there) or the next question.
    assert replies[-1] in {"ref_retry_contact_ways", "ask_ref_contact_times"}, replies
    assert not opted_out(db, resident)
