"""STOP, START and HELP through the webhook: one confirmation, then nothing more."""

from __future__ import annotations

import time

import pytest

from scripts.stack import Stack
from tests.conftest import PRACTITIONER_TOKEN
from tests.support import Database, Gateway, Resident, complete_referral, converse, keys, wait_for

pytestmark = pytest.mark.stack


def opted_out(db: Database, resident: Resident) -> bool:
    [row] = db.rows("SELECT opted_out_at FROM contacts WHERE phone = :p", p=resident.number)
    return row["opted_out_at"] is not None


def processed(db: Database, resident: Resident) -> bool:
    inbound = [m for m in db.messages_of(resident.number) if m["direction"] == "in"]
    return all(m["status"] == "processed" for m in inbound)


def test_stop_confirms_once_then_nothing_until_start(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident = Resident(gateway)
    converse(resident, db, "hello")
    assert keys(converse(resident, db, "STOP")) == ["optout_confirmed"]
    assert opted_out(db, resident)
    before = len(resident.outbox())
    for text in ("hello?", "Stop!", "what is a link worker"):
        resident.send(text)
    wait_for(lambda: processed(db, resident), 10, what="the messages handled")
    time.sleep(1)
    assert len(resident.outbox()) == before
    # HELP still answers (what this number is, how to reach a person), and START opts back in.
    assert keys(converse(resident, db, "help")) == ["keyword_help"]
    assert keys(converse(resident, db, "start")) == ["optin_confirmed"]
    assert not opted_out(db, resident)
    assert keys(converse(resident, db, "hello")) == ["greet"]


def test_a_crisis_still_gets_the_urgent_routes_after_stop(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    converse(resident, db, "unsubscribe")
    # The urgent routes, then when a person will read it (the test team is always open).
    assert keys(converse(resident, db, "i want to kill myself")) == [
        "safety_suicide_self_harm",
        "safety_team_open",
    ]


def test_stop_in_the_referral_stops_the_questions_and_stop_again_opts_out(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    converse(resident, db, "i would like to ask for help")
    stopped = converse(resident, db, "stop")
    assert keys(stopped) == ["ref_stopped"] and "STOP again" in stopped[0]["body"]
    assert not opted_out(db, resident)
    assert keys(converse(resident, db, "STOP")) == ["optout_confirmed"]
    assert opted_out(db, resident)


def test_stop_with_an_open_referral_goes_to_a_person_and_nothing_is_sent(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    complete_referral(resident, db, ways="1")
    [referral] = db.rows(
        "SELECT r.reference, r.conversation_id FROM referrals r JOIN contacts c ON r.contact_id = c.id "
        "WHERE c.phone = :p",
        p=resident.number,
    )
    assert keys(converse(resident, db, "STOP")) == ["optout_confirmed"]
    [conversation] = db.rows("SELECT owner FROM conversations WHERE id = :c", c=referral["conversation_id"])
    assert conversation["owner"] == "waiting"
    events = db.rows(
        "SELECT action FROM audit_events WHERE conversation_id = :c", c=referral["conversation_id"]
    )
    assert {"action": "opted_out_open_case"} in events
    # A practitioner's decision is not sent to a number that opted out, and the answer says so.
    before = len(resident.outbox())
    decided = gateway.client.post(
        f"{gateway.base_url}/api/referrals/{referral['reference']}/accept",
        headers={"Authorization": f"Bearer {PRACTITIONER_TOKEN}"},
        json={"by": "Amina"},
    )
    assert decided.status_code == 200
    assert decided.json()["resident_told"] is False and "STOP" in decided.json()["phone_instead"]
    assert [m for m in db.messages_of(resident.number) if m["catalog_key"] == "referral_accepted"] == []
    assert len(resident.outbox()) == before


def test_a_stop_word_of_another_language_stops_the_referral_first(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    converse(resident, db, "polski")
    converse(resident, db, "chcę poprosić o pomoc")
    assert keys(converse(resident, db, "WYPISZ")) == ["ref_stopped"]
    assert keys(converse(resident, db, "wypisz")) == ["optout_confirmed"]
