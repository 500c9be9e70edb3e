"""Choosing and detecting the language, through the webhook and the worker."""

from __future__ import annotations

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
