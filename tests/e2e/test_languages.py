"""Choosing and detecting the language, through the webhook and the worker."""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.i18n import render
from api.languages import load_languages
from scripts.stack import Stack
from tests.support import Database, Gateway, Resident, converse, keys, wait_for

pytestmark = pytest.mark.stack


def language_of(db: Database, resident: Resident) -> tuple[str | None, str | None]:
    [row] = db.rows("SELECT language, language_source FROM contacts WHERE phone = :p", p=resident.number)
    return row["language"], row["language_source"]


def test_lang_shows_every_language_and_a_number_in_bengali_digits_chooses(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    menu = converse(resident, db, "LANG")
    assert keys(menu) == ["language_menu"]
    for language in load_languages().values():
        assert language.name in menu[0]["body"]
    chosen = converse(resident, db, "৪")  # 4 = Polski
    assert keys(chosen) == ["language_set"]
    assert chosen[0]["body"] == render("language_set", "pl")[1] != render("language_set", "en")[1]
    assert language_of(db, resident) == ("pl", "chosen")


def test_short_replies_never_set_or_flip_the_language(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident = Resident(gateway)
    for text in ("tak", "da", "sim obrigado", "1"):
        assert "language_detected" not in keys(converse(resident, db, text))
    assert language_of(db, resident) == (None, None)


def test_a_longer_message_is_detected_confirmed_and_answered_in_its_language(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    replies = converse(resident, db, "Bună ziua, am nevoie de ajutor cu facturile mele")
    assert keys(replies)[0] == "language_detected"
    assert replies[0]["body"] == render("language_detected", "ro")[1]
    assert language_of(db, resident) == ("ro", "detected")
    converse(resident, db, "da")
    assert language_of(db, resident) == ("ro", "detected")


def test_a_chosen_language_is_not_changed_by_detection(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    assert keys(converse(resident, db, "Română")) == ["language_set"]
    replies = converse(resident, db, "what is a link worker please tell me")
    assert "language_detected" not in keys(replies)
    assert language_of(db, resident) == ("ro", "chosen")
    assert replies[0]["body"] == render("role_about", "ro", {"role": "link_worker"})[1]


def test_menu_choice_4_then_a_number(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident = Resident(gateway)
    converse(resident, db, "menu")
    assert keys(converse(resident, db, "4")) == ["language_menu"]
    # The last message (the main menu) comes again, in the new language.
    chosen = converse(resident, db, "3")
    assert keys(chosen) == ["language_set", "help"] and chosen[1]["body"] == render("help", "ur")[1]
    assert language_of(db, resident) == ("ur", "chosen")
    # The menu is closed again: "3" is now the main menu's choice.
    assert keys(converse(resident, db, "3")) == ["appt_none"]


def test_changing_language_in_the_referral_repeats_the_question(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    assert keys(converse(resident, db, "i want to ask for help"))[-1] == "ask_ref_story"
    converse(resident, db, "language")
    changed = converse(resident, db, "6")
    assert keys(changed) == ["language_set", "ask_ref_story"]
    assert changed[1]["body"] == render("ask_ref_story", "pt")[1]
    # The form is still waiting for the answer.
    assert keys(converse(resident, db, "as minhas contas estão atrasadas")) == ["ask_ref_needs"]


def test_the_language_menu_works_while_waiting_for_a_person(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    assert keys(converse(resident, db, "0")) == ["handoff_open"]
    assert keys(converse(resident, db, "LANG")) == ["language_menu"]
    chosen = converse(resident, db, "5")
    assert keys(chosen)[0] == "language_set" and chosen[0]["body"] == render("language_set", "ro")[1]
    assert language_of(db, resident) == ("ro", "chosen")
    # Anything else still waits for the person, with no reply from the bot.
    before = len(resident.outbox())
    resident.send("hello is anyone there")
    wait_for(
        lambda: all(
            m["status"] == "processed" for m in db.messages_of(resident.number) if m["direction"] == "in"
        ),
        10,
    )
    assert len(resident.outbox()) == before


def _params(db: Database, resident: Resident, reply: dict[str, Any]) -> dict[str, Any] | None:
    """The parameters a reply was rendered with."""
    [row] = db.rows(
        "SELECT m.params FROM messages m JOIN conversations c ON m.conversation_id = c.id "
        "JOIN contacts p ON c.contact_id = p.id WHERE p.phone = :p AND m.body = :b AND m.direction = 'out' "
        "ORDER BY m.id DESC LIMIT 1",
        p=resident.number,
        b=reply["body"],
    )
    params = json.loads(row["params"]) if isinstance(row["params"], str) else row["params"]
    return dict(params) if params else None


def _in_language(db: Database, resident: Resident, reply: dict[str, Any], code: str) -> bool:
    """Whether a reply is its catalog message as written in `code`, and not the English one."""
    key, params = str(reply["key"]), _params(db, resident, reply)
    return bool(reply["body"] == render(key, code, params)[1] != render(key, "en", params)[1])


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Olá", "pt"),
        ("Bună ziua", "ro"),
        ("Cześć", "pl"),
        ("আসসালামু আলাইকুম", "bn"),
        ("السلام علیکم", "ur"),
        ("Co robi link worker?", "pl"),
    ],
)
def test_a_first_message_is_answered_in_its_language(
    healthy: Stack, gateway: Gateway, db: Database, text: str, code: str
) -> None:
    resident = Resident(gateway)
    replies = converse(resident, db, text)
    # The switch says so, in the new language, with how to change it; then the answer, in it too.
    assert keys(replies)[0] == "language_detected"
    assert replies[0]["body"] == render("language_detected", code)[1]
    assert len(replies) >= 2 and all(_in_language(db, resident, r, code) for r in replies[1:])
    assert language_of(db, resident) == (code, "detected")


def test_the_link_worker_question_in_polish_gets_the_polish_answer(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    replies = converse(resident, db, "Co robi link worker?")
    assert keys(replies)[:2] == ["language_detected", "role_about"]
    assert replies[1]["body"] == render("role_about", "pl", {"role": "link_worker"})[1]
    assert all(_in_language(db, resident, r, "pl") for r in replies[1:])


def test_romanised_bengali_is_answered_in_english_with_an_offer_of_bangla_once(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    replies = converse(resident, db, "ami sahajjo chai")
    assert "language_detected" not in keys(replies)
    # The answer in English the resident can read, then one line in Bangla in Latin letters.
    assert keys(replies)[-1] == "language_offer"
    offer = replies[-1]["body"]
    assert offer == render("language_offer", "bn")[1] and "BANGLA" in offer and offer.isascii()
    assert all(r["body"] == render(str(r["key"]), "en", _params(db, resident, r))[1] for r in replies[:-1])
    assert language_of(db, resident) == (None, None)
    # Offered once: the next romanised message gets no second offer.
    assert "language_offer" not in keys(converse(resident, db, "amar bari bhara dite parchi na"))
    # Taking the offer chooses Bangla for good.
    chosen = converse(resident, db, "BANGLA")
    assert keys(chosen)[0] == "language_set" and chosen[0]["body"] == render("language_set", "bn")[1]
    assert language_of(db, resident) == ("bn", "chosen")


def test_salam_alone_keeps_english_and_offers_bangla_and_urdu(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    replies = converse(resident, db, "Assalamu alaikum")
    assert "language_detected" not in keys(replies) and keys(replies)[-1] == "language_offer"
    assert replies[-1]["body"] == "\n".join(render("language_offer", c)[1] for c in ("bn", "ur"))
    assert language_of(db, resident) == (None, None)


def test_a_greeting_does_not_switch_a_chosen_language(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident = Resident(gateway)
    assert keys(converse(resident, db, "Română")) == ["language_set"]
    for text in ("Cześć", "হ্যালো", "ami sahajjo chai"):
        replies = converse(resident, db, text)
        assert "language_detected" not in keys(replies) and "language_offer" not in keys(replies)
    assert language_of(db, resident) == ("ro", "chosen")
