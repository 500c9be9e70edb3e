"""Handing a resident to a person, through the webhook, the worker, the bot and the inbox.

The test stack is always open (tests/fixtures/always_open.yml), so the handoff reply is the
"usual wait" one; closed hours are covered in tests/unit/test_inbox_hours.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.i18n import render
from api.languages import load_languages
from scripts.stack import Stack
from tests.e2e.test_referral import phrases
from tests.inbox_support import logged_in, make_account
from tests.support import Database, Gateway, Resident, converse, keys, unanswered, wait_for

pytestmark = pytest.mark.stack

OPEN = {"wait_minutes": 120}


def conversation_of(db: Database, resident: Resident) -> dict[str, Any]:
    [row] = db.rows(
        "SELECT c.* FROM conversations c JOIN contacts p ON c.contact_id = p.id WHERE p.phone = :p",
        p=resident.number,
    )
    return row


def test_a_resident_asking_in_urdu_gets_the_urdu_handoff_and_the_bot_stays_silent(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    urdu = phrases("ur")
    resident = Resident(gateway)
    assert keys(converse(resident, db, urdu["lang_name"])) == ["language_set"]
    handoff = converse(resident, db, "مجھے کسی اصلی آدمی سے بات کرنی ہے")
    assert keys(handoff) == ["handoff_open"]
    assert (
        handoff[0]["body"] == render("handoff_open", "ur", OPEN)[1] != render("handoff_open", "en", OPEN)[1]
    )
    conversation = conversation_of(db, resident)
    assert (conversation["owner"], conversation["handoff_reason"]) == ("waiting", "asked")
    assert conversation["waiting_since"] is not None

    # While a person is awaited, the resident's messages go to the inbox only.
    assert unanswered(resident, db, "کوئی ہے؟ مجھے بہت پریشانی ہے") == []
    assert unanswered(resident, db, "hello?") == []

    account = make_account(healthy, name="Nadia Shah")
    inbox = logged_in(gateway.base_url, account)
    cid = conversation["id"]
    assert inbox.post(f"/inbox/conversations/{cid}/claim").status_code == 303
    assert (
        inbox.post(f"/inbox/conversations/{cid}/reply", {"canned": "canned_hello", "once": "a1"}).status_code
        == 303
    )
    hello = resident.wait_replies(3)[2]
    assert hello["body"] == render("canned_hello", "ur", {"name": "Nadia"})[1]
    assert "Nadia" in hello["body"]
    assert (
        inbox.post(
            f"/inbox/conversations/{cid}/reply", {"text": "Salaam, I will call at 3pm", "once": "a2"}
        ).status_code
        == 303
    )
    assert resident.wait_replies(4)[3]["body"] == "Salaam, I will call at 3pm"

    # The resident answers; still no bot, and the practitioner still has it.
    assert unanswered(resident, db, "ٹھیک ہے شکریہ") == []
    conversation = conversation_of(db, resident)
    assert conversation["owner"] == "human"
    [who] = db.rows("SELECT username FROM practitioners WHERE id = :i", i=conversation["assigned_to_id"])
    assert who["username"] == account.username
    authors = [
        (m["author"], m["author_name"]) for m in db.messages_of(resident.number) if m["direction"] == "out"
    ]
    assert authors[-2:] == [("practitioner", "Nadia Shah"), ("practitioner", "Nadia Shah")]


@pytest.mark.parametrize("code", sorted(load_languages()))
def test_asking_for_a_person_works_in_every_language(
    healthy: Stack, gateway: Gateway, db: Database, code: str
) -> None:
    resident = Resident(gateway)
    assert keys(converse(resident, db, load_languages()[code].name)) == ["language_set"]
    handoff = converse(resident, db, phrases(code)["person"])
    assert keys(handoff) == ["handoff_open"]
    assert handoff[0]["body"] == render("handoff_open", code, OPEN)[1]
    assert conversation_of(db, resident)["owner"] == "waiting"


def test_two_misunderstandings_in_a_row_hand_over(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident = Resident(gateway)
    assert keys(converse(resident, db, "zzqx")) == ["fallback"]
    assert keys(converse(resident, db, "vvkrp")) == ["handoff_not_understood", "handoff_open"]
    conversation = conversation_of(db, resident)
    assert (conversation["owner"], conversation["handoff_reason"]) == ("waiting", "not_understood")


def test_one_misunderstanding_then_an_answer_does_not_hand_over(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    assert keys(converse(resident, db, "zzqx")) == ["fallback"]
    assert "handoff_open" not in keys(converse(resident, db, "what is a link worker"))
    assert keys(converse(resident, db, "vvkrp")) == ["fallback"]
    assert conversation_of(db, resident)["owner"] == "bot"


def test_stuck_on_a_referral_question_hands_over_with_the_answers_so_far(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    converse(resident, db, "i want to ask for help")
    for answer in ("my rent is behind", "1", "1", "Sam", "skip"):
        converse(resident, db, answer)
    assert keys(converse(resident, db, "31/02/1975"))[0].startswith("ref_retry")
    assert keys(converse(resident, db, "31/02/1975"))[0].startswith("ref_retry")
    assert keys(converse(resident, db, "31/02/1975")) == ["handoff_not_understood", "handoff_open"]
    conversation = conversation_of(db, resident)
    assert (conversation["owner"], conversation["handoff_reason"]) == ("waiting", "form")
    story = wait_for(lambda: conversation_of(db, resident)["handoff_context"], 10, what="the handoff story")
    # A JSON column: text on SQLite, already an object on PostgreSQL.
    answers = (json.loads(story) if isinstance(story, str) else story)["referral_answers"]
    assert answers["first_name"] == "Sam"
    assert answers["needs"] == ["money"]


def test_hand_back_returns_to_the_bot_and_resolve_with_keep_returns_to_the_same_person(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    assert keys(converse(resident, db, "0")) == ["handoff_open"]
    cid = conversation_of(db, resident)["id"]
    account = make_account(healthy)
    inbox = logged_in(gateway.base_url, account)
    assert inbox.post(f"/inbox/conversations/{cid}/claim").status_code == 303
    assert inbox.post(f"/inbox/conversations/{cid}/handback").status_code == 303
    assert resident.wait_replies(2)[1]["key"] == "handed_back"
    assert conversation_of(db, resident)["owner"] == "bot"
    assert keys(converse(resident, db, "what is a link worker"))  # the bot answers again
    assert conversation_of(db, resident)["owner"] == "bot"

    assert keys(converse(resident, db, "0")) == ["handoff_open"]
    assert inbox.post(f"/inbox/conversations/{cid}/claim").status_code == 303
    assert inbox.post(f"/inbox/conversations/{cid}/resolve", {"keep": "1"}).status_code == 303
    assert conversation_of(db, resident)["owner"] == "resolved"
    assert unanswered(resident, db, "one more thing please") == []
    conversation = conversation_of(db, resident)
    assert (conversation["owner"], conversation["handoff_reason"]) == ("human", "kept")
    [who] = db.rows("SELECT username FROM practitioners WHERE id = :i", i=conversation["assigned_to_id"])
    assert who["username"] == account.username

    # Resolved without keeping it: the next message is the bot's again.
    assert inbox.post(f"/inbox/conversations/{cid}/resolve").status_code == 303
    assert keys(converse(resident, db, "what is a link worker"))
    assert conversation_of(db, resident)["owner"] == "bot"
