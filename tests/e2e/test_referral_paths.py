"""The referral's other paths, through the webhook and the real bot: stopping, coming back
(the same day and the next), a person instead, under 16, out of area, no consent, and a
person offered after two failed tries on one question.
"""

from __future__ import annotations

import json

import pytest

from api.messages import MESSAGES
from scripts.stack import Stack
from tests.support import LONG_AGO, Database, Gateway, Resident, converse, keys, referral_answers

pytestmark = pytest.mark.stack


def start(gateway: Gateway, db: Database) -> tuple[Resident, list[str]]:
    resident = Resident(gateway)
    return resident, keys(converse(resident, db, "i would like to ask for help"))


def answer(resident: Resident, db: Database, *texts: str) -> list[str]:
    got: list[str] = []
    for text in texts:
        got = keys(converse(resident, db, text))
    return got


def referrals_of(db: Database, resident: Resident) -> list[dict[str, object]]:
    return db.rows(
        "SELECT r.* FROM referrals r JOIN contacts c ON r.contact_id = c.id WHERE c.phone = :p",
        p=resident.number,
    )


UP_TO_CONSENT = referral_answers(ways="1")


def test_stop_keeps_the_answers_and_asking_again_carries_on(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident, first = start(gateway, db)
    assert first == ["ref_intro", "ask_ref_story"]
    assert answer(resident, db, "my rent is behind", "1") == ["ask_ref_for_whom"]
    assert answer(resident, db, "stop") == ["ref_stopped"]
    # Not an answer any more: the form is closed.
    assert answer(resident, db, "what is a link worker") == ["role_about", "role_details", "role_offer"]
    assert answer(resident, db, "i want to ask for help") == ["ref_welcome_back", "ask_ref_for_whom"]


def test_coming_back_the_next_day_asks_before_carrying_on(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident, _ = start(gateway, db)
    assert answer(resident, db, "I feel alone since my wife died", "4 5", "1") == ["ask_ref_first_name"]
    # A day passes: the previous messages are dated yesterday.
    db.execute(
        "UPDATE messages SET created_at = :yesterday WHERE conversation_id = "
        "(SELECT c.id FROM conversations c JOIN contacts p ON c.contact_id = p.id WHERE p.phone = :p)",
        yesterday=LONG_AGO,
        p=resident.number,
    )
    assert answer(resident, db, "hello") == ["ref_resume_prompt"]
    assert answer(resident, db, "yes") == ["ref_welcome_back", "ask_ref_first_name"]
    assert answer(resident, db, *UP_TO_CONSENT[3:]) == ["ask_ref_consent"]
    assert answer(resident, db, "yes") == ["referral_summary"]
    assert answer(resident, db, "yes") == ["referral_sent"]
    [referral] = referrals_of(db, resident)
    answers = (
        json.loads(str(referral["answers"])) if isinstance(referral["answers"], str) else referral["answers"]
    )
    assert isinstance(answers, dict)
    assert answers["story"] == "I feel alone since my wife died" and answers["needs"] == [
        "lonely",
        "bereavement",
    ]


def test_no_to_carrying_on_deletes_the_answers(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident, _ = start(gateway, db)
    answer(resident, db, "i cannot pay my bills")
    db.execute(
        "UPDATE messages SET created_at = :old WHERE conversation_id = "
        "(SELECT c.id FROM conversations c JOIN contacts p ON c.contact_id = p.id WHERE p.phone = :p)",
        old=LONG_AGO,
        p=resident.number,
    )
    assert answer(resident, db, "hi") == ["ref_resume_prompt"]
    assert answer(resident, db, "no") == ["ref_discarded"]
    assert answer(resident, db, "i want to ask for help") == ["ref_intro", "ask_ref_story"]


def test_a_person_instead_keeps_the_answers(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident, _ = start(gateway, db)
    answer(resident, db, "my rent is behind", "1")
    assert answer(resident, db, "0") == ["handoff_open"]
    [conversation] = db.rows(
        "SELECT c.owner FROM conversations c JOIN contacts p ON c.contact_id = p.id WHERE p.phone = :p",
        p=resident.number,
    )
    assert conversation["owner"] == "waiting"


def test_under_16_gets_a_kind_answer_and_nothing_is_stored(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident, _ = start(gateway, db)
    assert answer(resident, db, "my rent is behind", "1", "1", "Sam", "skip") == ["ask_ref_dob"]
    assert answer(resident, db, "3/4/2015") == ["ref_under_16"]
    assert referrals_of(db, resident) == []
    # The form is over: asking again starts afresh.
    assert answer(resident, db, "i want to ask for help") == ["ref_intro", "ask_ref_story"]


def test_outside_the_area_is_told_the_route_and_offered_a_person(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident, _ = start(gateway, db)
    answer(resident, db, *UP_TO_CONSENT[:6])
    first = converse(resident, db, "SW1A 1AA")
    assert keys(first) == ["ref_out_of_area"] and "SW1A 1AA" in first[0]["body"]
    assert MESSAGES["ref_offer_person"] not in first[0]["body"]
    second = converse(resident, db, "sw1a1aa")
    assert keys(second) == ["ref_out_of_area"]
    assert MESSAGES["ref_offer_person"] in second[0]["body"]
    assert answer(resident, db, "E7 8QS") == ["ask_ref_gp"]


def test_someone_else_is_asked_about_them_and_for_their_agreement(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident, _ = start(gateway, db)
    assert answer(resident, db, "my mum cannot cope with her forms", "2", "2") == ["ask_ref_agreement"]
    assert answer(resident, db, "yes") == ["ask_ref_first_name_other"]
    assert answer(resident, db, "Rita", "Begum") == ["ask_ref_dob_other"]


def test_no_agreement_ends_kindly(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident, _ = start(gateway, db)
    assert answer(resident, db, "my neighbour needs help", "4", "2", "no") == ["ref_no_agreement"]
    assert referrals_of(db, resident) == []


def test_no_consent_deletes_and_offers_a_person(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident, _ = start(gateway, db)
    assert answer(resident, db, *UP_TO_CONSENT) == ["ask_ref_consent"]
    replies = converse(resident, db, "no")
    assert keys(replies) == ["ref_no_consent"] and "0" in replies[0]["body"]
    assert referrals_of(db, resident) == []


def test_a_required_question_cannot_be_skipped(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident, _ = start(gateway, db)
    assert answer(resident, db, "my rent is behind", "1", "1", "skip") == ["ref_retry_required"]
    assert answer(resident, db, "Sam") == ["ask_ref_surname"]


def test_the_same_confirmation_webhook_twice_stores_one_referral(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident, _ = start(gateway, db)
    answer(resident, db, *UP_TO_CONSENT, "yes")
    form = resident.form("yes")
    assert gateway.post_signed("/twilio/messages", form).status_code == 200
    assert gateway.post_signed("/twilio/messages", form).status_code == 200
    converse(resident, db, "thanks")
    assert len(referrals_of(db, resident)) == 1
    sent = [m for m in db.messages_of(resident.number) if m["catalog_key"] == "referral_sent"]
    assert len(sent) == 1


def test_a_resident_cannot_send_the_bot_a_command(healthy: Stack, gateway: Gateway, db: Database) -> None:
    # "/intent" is Rasa's syntax for an intent; from a resident it is only text.
    resident, _ = start(gateway, db)
    assert answer(resident, db, "/EXTERNAL_resume_referral") == ["ask_ref_needs"]
    assert answer(resident, db, "/stop") == ["ref_stopped"]  # the word stop, as typed
