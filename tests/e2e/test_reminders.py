"""Appointments, reminders and follow-ups, through the API, the worker and the resident's phone.

Due times are made "now" by the tests (tests/reminder_support.py); the worker then sends
exactly as it would at the real time. The timing rules themselves are in
tests/unit/test_reminder_timing.py.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from api.config import Settings
from api.i18n import render, translations
from api.messages_reminders import REPLY_WORDS
from api.reminders.appointments import plan
from scripts.stack import Stack
from tests.e2e.test_referral import phrases
from tests.e2e.test_referral_api import api as referrals_api
from tests.reminder_support import appointments, book, daytime, make_due, reminder_rows
from tests.support import (
    Database,
    Gateway,
    Resident,
    complete_referral,
    converse,
    keys,
    release_deferred,
    wait_for,
)

pytestmark = pytest.mark.stack


def resident_in(gateway: Gateway, db: Database, code: str) -> Resident:
    resident = Resident(gateway)
    if code != "en":
        assert keys(converse(resident, db, phrases(code)["lang_name"])) == ["language_set"]
    else:
        converse(resident, db, "hello")
    return resident


def booked_for(gateway: Gateway, db: Database, resident: Resident, days: int = 5) -> dict:
    """Book, and wait until the resident has the notice (it may wait for their safe time)."""
    before = len(resident.outbox())
    booked = book(gateway, resident.number, days=days)
    release_deferred(db, resident.number)
    notice = resident.wait_replies(before + 1, timeout=30)[before]
    assert notice["key"] == "appt_booked"
    return booked


def sent_reminder(stack: Stack, db: Database, resident: Resident, appointment_id: int) -> dict:
    """Make the first reminder of an appointment due; the text the resident got."""
    daytime(stack)
    first = reminder_rows(db, appointment_id=appointment_id, status="pending")[0]
    before = len(resident.outbox())
    make_due(stack, db, first["id"])
    return resident.wait_replies(before + 1, timeout=20)[before]


def appointment_status(db: Database, appointment_id: int) -> str:
    return str(db.rows("SELECT status FROM appointments WHERE id = :i", i=appointment_id)[0]["status"])


def word(code: str, kind: str) -> str:
    """The language's own word for a reply (from its catalog), or the English one."""
    translated = translations(code).gettext(REPLY_WORDS[kind]).split(",")[0].strip()
    return translated or REPLY_WORDS[kind]


def test_booking_tells_the_resident_in_their_language_and_plans_the_reminders(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = resident_in(gateway, db, "pl")
    before = len(resident.outbox())
    booked = book(gateway, resident.number, days=6)
    assert booked["resident_told"] is True
    release_deferred(db, resident.number)
    notice = resident.wait_replies(before + 1, timeout=30)[before]
    params = {
        "appointment": {
            "starts_at": booked["starts_at"],
            "kind": "gp",
            "place": "Green Street Surgery",
            "with_whom": "Sam",
        }
    }
    assert notice["body"] == render("appt_booked", "pl", params)[1] != render("appt_booked", "en", params)[1]
    # Default offsets: 3 days and 1 day before, at 10:00 London.
    due = [r["due_at"] for r in booked["reminders"]]
    assert [r["key"].rsplit(":", 1)[1] for r in booked["reminders"]] == ["3d", "1d"]
    assert all(datetime.fromisoformat(d).astimezone(UTC).strftime("%M") == "00" for d in due)


def test_a_due_reminder_is_sent_once_even_when_its_job_runs_three_times(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = resident_in(gateway, db, "en")
    booked = book(gateway, resident.number)
    release_deferred(db, resident.number)
    first = reminder_rows(db, appointment_id=booked["id"])[0]
    daytime(healthy)
    make_due(healthy, db, first["id"], runs=3)
    wait_for(lambda: reminder_rows(db, id=first["id"])[0]["status"] == "sent" or None, 20, what="sent")
    wait_for(
        lambda: [m for m in resident.outbox() if m["key"] == "appt_reminder"] or None, 20, what="reminder"
    )
    make_due(healthy, db, first["id"], runs=2)  # late duplicates after it was sent
    time.sleep(2)
    sent = [m for m in db.messages_of(resident.number) if m["catalog_key"] == "appt_reminder"]
    assert len(sent) == 1
    assert len([m for m in resident.outbox() if m["key"] == "appt_reminder"]) == 1


@pytest.mark.parametrize("code", ["en", "pl"])
def test_replies_one_two_three_in_two_languages(
    healthy: Stack, gateway: Gateway, db: Database, code: str
) -> None:
    # 1 right after the reminder confirms.
    resident = resident_in(gateway, db, code)
    first = booked_for(gateway, db, resident)
    reminder = sent_reminder(healthy, db, resident, first["id"])
    assert reminder["key"] == "appt_reminder" and "Green Street Surgery" in reminder["body"]
    confirmed = converse(resident, db, "1")
    assert keys(confirmed) == ["appt_confirm_thanks"]
    assert confirmed[0]["body"] == render("appt_confirm_thanks", code)[1]
    assert appointment_status(db, first["id"]) == "confirmed"

    # The cancel word works later, after other messages; it does not opt the resident out.
    second = booked_for(gateway, db, resident, days=8)
    sent_reminder(healthy, db, resident, second["id"])
    assert keys(converse(resident, db, "what is a link worker"))
    cancelled = converse(resident, db, word(code, "cancel"))
    assert keys(cancelled) == ["appt_cancel_done"]
    assert appointment_status(db, second["id"]) == "cancelled"
    assert {r["status"] for r in reminder_rows(db, appointment_id=second["id"])} <= {"sent", "cancelled"}
    assert (
        db.rows("SELECT opted_out_at FROM contacts WHERE phone = :p", p=resident.number)[0]["opted_out_at"]
        is None
    )

    # 2 asks for a change: a person takes it, with the reason.
    third = booked_for(gateway, db, resident, days=9)
    sent_reminder(healthy, db, resident, third["id"])
    assert keys(converse(resident, db, "2")) == ["appt_change_asked"]
    [conversation] = db.rows(
        "SELECT owner, handoff_reason FROM conversations WHERE id = :i", i=third_conversation(db, resident)
    )
    assert (conversation["owner"], conversation["handoff_reason"]) == ("waiting", "appointment_change")


def third_conversation(db: Database, resident: Resident) -> int:
    return int(
        db.rows(
            "SELECT c.id FROM conversations c JOIN contacts p ON c.contact_id = p.id WHERE p.phone = :p",
            p=resident.number,
        )[0]["id"]
    )


def test_a_number_in_the_middle_of_a_referral_answers_the_form_not_the_reminder(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = resident_in(gateway, db, "en")
    booked = booked_for(gateway, db, resident)
    sent_reminder(healthy, db, resident, booked["id"])
    converse(resident, db, "i want to ask for help")
    asked_needs = converse(resident, db, "my rent is behind")
    assert "ask_ref_needs" in keys(asked_needs)
    answer = converse(resident, db, "1")
    assert "appt_confirm_thanks" not in keys(answer)
    assert appointment_status(db, booked["id"]) == "booked"


def test_nothing_is_sent_after_stop_or_by_a_channel_the_resident_did_not_choose(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    stopped = resident_in(gateway, db, "en")
    booked = book(gateway, stopped.number)
    release_deferred(db, stopped.number)
    converse(stopped, db, "STOP")
    before = len(stopped.outbox())
    daytime(healthy)
    first = reminder_rows(db, appointment_id=booked["id"])[0]
    make_due(healthy, db, first["id"])
    row = wait_for(
        lambda: [r for r in reminder_rows(db, id=first["id"]) if r["status"] != "pending"], 20, what="skip"
    )
    assert (row[0]["status"], row[0]["reason"]) == ("skipped", "opted_out")
    assert len(stopped.outbox()) == before

    # Phone calls only: no appointment text and no reminder; the practitioner is told to phone.
    calls_only = Resident(gateway)
    complete_referral(calls_only, db, ways="3")
    booked = book(gateway, calls_only.number)
    assert booked["resident_told"] is False and "no way of contact" in booked["phone_instead"]
    before = len(calls_only.outbox())
    first = reminder_rows(db, appointment_id=booked["id"])[0]
    make_due(healthy, db, first["id"])
    row = wait_for(
        lambda: [r for r in reminder_rows(db, id=first["id"]) if r["status"] != "pending"], 20, what="skip"
    )
    assert (row[0]["status"], row[0]["reason"]) == ("skipped", "no_safe_channel")
    assert len(calls_only.outbox()) == before


def test_moving_replaces_the_reminders_and_cancelling_stops_them(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = resident_in(gateway, db, "en")
    booked = booked_for(gateway, db, resident, days=6)
    old = reminder_rows(db, appointment_id=booked["id"])
    day = datetime.fromisoformat(booked["starts_at"]).date()
    moved = appointments(
        gateway,
        "POST",
        f"/{booked['id']}/move",
        json={"starts_at": f"{day}T16:00:00+00:00", "by": "Amina"},
    )
    assert moved.status_code == 200 and moved.json()["version"] == 2
    statuses = {r["key"]: r["status"] for r in reminder_rows(db, appointment_id=booked["id"])}
    assert all(statuses[r["key"]] == "cancelled" for r in old)
    assert sorted(k.split(":")[2] for k, s in statuses.items() if s == "pending") == ["v2", "v2"]
    # The old job firing now sends nothing.
    before = len(resident.outbox())
    make_due(healthy, db, old[0]["id"])
    cancelled = appointments(gateway, "POST", f"/{booked['id']}/cancel", json={"by": "Amina"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert {r["status"] for r in reminder_rows(db, appointment_id=booked["id"])} == {"cancelled"}
    assert appointments(gateway, "POST", f"/{booked['id']}/cancel", json={"by": "Amina"}).status_code == 409
    release_deferred(db, resident.number)
    notices = resident.wait_replies(before + 2, timeout=30)[before:]
    assert [m["key"] for m in notices] == ["appt_moved", "appt_cancelled"]


def test_a_residents_appointments_are_found_with_the_number_in_the_body(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    """Not in the address, where proxies and logs keep it (ASVS 14.2.1)."""
    resident = resident_in(gateway, db, "en")
    booked = book(gateway, resident.number)
    found = appointments(gateway, "POST", "/search", json={"phone": resident.number})
    assert found.status_code == 200 and [a["id"] for a in found.json()] == [booked["id"]]
    assert appointments(gateway, "POST", "/search", json={"phone": "+447911000000"}).json() == []
    assert appointments(gateway, "POST", "/search", json={"phone": "1"}).status_code == 422
    old = appointments(gateway, "GET", params={"phone": resident.number})
    assert old.json() == found.json()
    schema = gateway.client.get(gateway.base_url + "/openapi.json").json()
    assert schema["paths"]["/api/appointments"]["get"]["deprecated"] is True


def test_bad_appointment_input_gets_a_clear_answer(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident = resident_in(gateway, db, "en")
    base = {
        "phone": resident.number,
        "starts_at": "2030-01-07T10:00:00",
        "kind": "gp",
        "place": "Green St",
        "by": "A",
    }
    assert appointments(gateway, "POST", json={**base, "kind": "spa"}).status_code == 422
    assert appointments(gateway, "POST", json={**base, "starts_at": "2001-01-01T10:00:00"}).status_code == 422
    subject = appointments(gateway, "POST", json={**base, "with_whom": "the debt adviser"})
    assert subject.status_code == 422 and "debt" in subject.text
    assert appointments(gateway, "POST", json={**base, "phone": "+447911000000"}).status_code == 404
    assert appointments(gateway, "GET", "/999999").status_code == 404
    assert gateway.client.post(gateway.base_url + "/api/appointments", json=base).status_code == 401


def test_the_two_week_follow_up_asks_and_no_goes_to_the_queue(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    reference = complete_referral(resident, db)
    assert referrals_api(gateway, "POST", f"/{reference}/accept", json={"by": "Amina"}).status_code == 200
    [referral] = db.rows("SELECT id FROM referrals WHERE reference = :r", r=reference)
    checks = reminder_rows(db, referral_id=referral["id"])
    assert [r["kind"] for r in checks] == ["followup_check", "followup_review"]
    due = checks[0]["due_at"]
    due = due if isinstance(due, datetime) else datetime.fromisoformat(str(due))
    assert (due.date() - datetime.now(UTC).date()).days in (14, 15)  # two weeks, 10:00 London
    release_deferred(db, resident.number)
    daytime(healthy)
    before = len(resident.outbox())
    make_due(healthy, db, checks[0]["id"])
    asked = wait_for(
        lambda: [m for m in resident.outbox()[before:] if m["key"] == "followup_check"], 20, what="check"
    )
    assert asked[0]["body"] == render("followup_check", "en")[1]
    assert keys(converse(resident, db, "2")) == ["followup_no"]
    row = reminder_rows(db, id=checks[0]["id"])[0]
    assert row["answer"] == "no"
    [conversation] = db.rows(
        "SELECT owner, handoff_reason FROM conversations WHERE id = :i", i=third_conversation(db, resident)
    )
    assert (conversation["owner"], conversation["handoff_reason"]) == ("waiting", "followup_no")


def test_plan_uses_the_configured_offsets() -> None:
    from api.db.models import Appointment

    appointment = Appointment(
        id=7, contact_id=1, conversation_id=1, starts_at=datetime(2030, 1, 10, 14, 0, tzinfo=UTC), version=2
    )
    settings = Settings(
        _env_file=None, twilio_auth_token="x" * 12, rasa_token="y" * 12, reminder_offsets="2d,3h"
    )  # type: ignore[call-arg]
    keys_ = [r.key for r in plan(appointment, settings, datetime(2030, 1, 1, 9, 0, tzinfo=UTC))]
    assert keys_ == ["appt:7:v2:2d", "appt:7:v2:3h"]


def test_practitioners_book_move_and_cancel_in_the_inbox(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    from tests.inbox_support import logged_in, make_account

    resident = resident_in(gateway, db, "en")
    cid = third_conversation(db, resident)
    inbox = logged_in(gateway.base_url, make_account(healthy, name="Jo Reid"))
    day = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    form = {"day": day, "at": "11:15", "kind": "library", "place": "Stratford Library", "with_whom": "Jo"}
    refused = inbox.post(f"/inbox/conversations/{cid}/appointments", {**form, "with_whom": "the debt team"})
    assert refused.status_code == 422 and "debt" in refused.text
    assert inbox.post(f"/inbox/conversations/{cid}/appointments", {**form, "at": "25:99"}).status_code == 422
    before = len(resident.outbox())
    assert inbox.post(f"/inbox/conversations/{cid}/appointments", form).status_code == 303
    [appointment] = db.rows("SELECT * FROM appointments WHERE conversation_id = :c", c=cid)
    assert (appointment["kind"], appointment["created_by"]) == ("library", "Jo Reid")
    page = inbox.get(f"/inbox/conversations/{cid}").text
    assert "Stratford Library" in page and "11:15" in page
    panel = inbox.get(f"/inbox/conversations/{cid}?part=panel").text  # what the page refreshes live
    assert "Stratford Library" in panel and "booked" in panel and "<html" not in panel
    assert (
        inbox.post(f"/inbox/appointments/{appointment['id']}/move", {"day": day, "at": "15:45"}).status_code
        == 303
    )
    assert inbox.post(f"/inbox/appointments/{appointment['id']}/cancel").status_code == 303
    assert (
        inbox.post(f"/inbox/appointments/{appointment['id']}/cancel").status_code == 422
    )  # already cancelled
    release_deferred(db, resident.number)
    notices = resident.wait_replies(before + 3, timeout=30)[before:]
    assert [m["key"] for m in notices] == ["appt_booked", "appt_moved", "appt_cancelled"]
    assert "Stratford Library" in notices[0]["body"]
    actions = [
        r["action"] for r in db.rows("SELECT action FROM audit_events WHERE conversation_id = :c", c=cid)
    ]
    assert {"appointment_booked", "appointment_moved", "appointment_cancelled"} <= set(actions)
