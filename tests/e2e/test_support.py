"""Explaining the support and pointing to the right help, through the real webhook and bot.

The default area is Newham (directory/newham.yml); the words come from there.
"""

from __future__ import annotations

import pytest

from api.directory import default_area, load_directory
from scripts.stack import Stack
from tests.support import Gateway, Resident, wait_for

pytestmark = pytest.mark.stack

AREA = default_area(load_directory())


def _until_offer(resident: Resident) -> list[dict[str, str]]:
    def offered() -> list[dict[str, str]] | None:
        box = resident.outbox()
        return box if box and box[-1]["key"] == "offer_referral" else None

    return wait_for(offered, 10, what="the referral offer")


def _turn(resident: Resident, text: str, replies: int) -> list[dict[str, str]]:
    before = len(resident.outbox())
    resident.send(text)
    return resident.wait_replies(before + replies)[before:]


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("What is a social prescriber?", "link_worker"),
        ("what does a link worker do", "link_worker"),
        ("care navigator??", "care_navigator"),
        ("SPLW", "link_worker"),
    ],
)
def test_a_role_is_explained_and_a_referral_offered(
    healthy: Stack, gateway: Gateway, text: str, role: str
) -> None:
    replies = _turn(Resident(gateway), text, 3)
    assert [r["key"] for r in replies] == ["role_about", "role_details", "role_offer"]
    explained = AREA.roles[role]
    assert explained.summary in replies[0]["body"] and explained.who in replies[0]["body"]
    assert explained.what in replies[1]["body"] and explained.where in replies[1]["body"]
    assert explained.how_long in replies[1]["body"]
    assert "free" in replies[2]["body"] and explained.how_to_get in replies[2]["body"]
    assert "YES" in replies[2]["body"]


def test_two_roles_are_compared(healthy: Stack, gateway: Gateway) -> None:
    replies = _turn(Resident(gateway), "difference between care coordinator and care navigator", 2)
    assert [r["key"] for r in replies] == ["role_compare", "offer_referral"]
    assert "Care coordinator:" in replies[0]["body"] and "Care navigator:" in replies[0]["body"]


def test_follow_up_questions_are_about_the_role_just_explained(healthy: Stack, gateway: Gateway) -> None:
    resident = Resident(gateway)
    _turn(resident, "what is a care navigator", 3)
    free = _turn(resident, "is it free", 2)
    assert free[0]["key"] == "role_access" and "free" in free[0]["body"]
    where = _turn(resident, "where would I meet them", 2)
    assert where[0]["key"] == "role_where" and AREA.roles["care_navigator"].where in where[0]["body"]
    how_long = _turn(resident, "how long does it last", 2)
    assert how_long[0]["key"] == "role_how_long"


def test_is_it_free_with_no_role_yet_answers_for_all_support(healthy: Stack, gateway: Gateway) -> None:
    replies = _turn(Resident(gateway), "is it free", 2)
    assert replies[0]["key"] == "support_free"


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("I can't pay my rent", "money"),
        ("I'm lonely since my wife died", "bereavement"),
        ("I look after my mum and I'm exhausted", "carer"),
        ("I can't fill in this PIP form", "benefits_forms"),
        ("I have diabetes and don't know where to start", "long_term_condition"),
        ("i cant pay my rent n im behind on bills", "money"),
    ],
)
def test_a_need_is_reflected_with_one_best_fit_and_an_offer(
    healthy: Stack, gateway: Gateway, text: str, need: str
) -> None:
    resident = Resident(gateway)
    resident.send(text)
    replies = _until_offer(resident)
    keys = [r["key"] for r in replies]
    # One best fit; a clear second need may add one short line; then the offer.
    assert keys in (["need_answer", "offer_referral"], ["need_answer", "need_also", "offer_referral"])
    assert AREA.needs[need].reflect in replies[0]["body"]
    assert AREA.roles[AREA.needs[need].best].title in replies[0]["body"]


def test_yes_to_the_offer_starts_the_referral(healthy: Stack, gateway: Gateway) -> None:
    resident = Resident(gateway)
    _turn(resident, "what is a link worker", 3)
    assert [r["key"] for r in _turn(resident, "yes please", 2)] == ["ref_intro", "ask_ref_story"]


def test_the_menu_works_by_number_and_by_word(healthy: Stack, gateway: Gateway) -> None:
    resident = Resident(gateway)
    menu = _turn(resident, "menu", 1)[0]
    assert menu["key"] == "help" and "1 " in menu["body"] and "0 " in menu["body"]
    assert _turn(resident, "1", 1)[0]["key"] == "support_overview"
    # 3 answers from the stored appointments: none booked, so a person is offered.
    reply = _turn(resident, "3", 1)[0]
    assert reply["key"] == "appt_none" and "Type 0" in reply["body"]
    assert _turn(resident, "4", 1)[0]["key"] == "language_menu"
    assert _turn(resident, "what can you do", 1)[0]["key"] == "help"
    assert [r["key"] for r in _turn(resident, "2", 2)] == ["ref_intro", "ask_ref_story"]
