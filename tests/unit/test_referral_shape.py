"""The form, the catalog and the store agree: every question, re-ask and label exists."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from actions.answers import ABOUT_THE_PERSON, NEEDS, QUESTIONS, SUMMARY_ITEMS
from api.directory import NEED_IDS
from api.messages import MESSAGES
from api.referrals.store import (
    REFERENCE_ALPHABET,
    TRANSITIONS,
    new_reference,
    normalize_reference,
)

ROOT = Path(__file__).resolve().parents[2]
FORM_SOURCE = (ROOT / "actions" / "referral_form.py").read_text()


def test_every_question_has_its_message_and_the_other_person_wording() -> None:
    for slot in QUESTIONS[:-1]:
        assert f"ask_{slot}" in MESSAGES
    for slot in ABOUT_THE_PERSON:
        assert f"ask_{slot}_other" in MESSAGES


def test_every_reason_for_a_re_ask_has_its_message() -> None:
    reasons = set(re.findall(r"""failed\(\s*\w+,\s*[^,]+,\s*"(\w+)\"""", FORM_SOURCE))
    assert {"dob", "postcode", "required", "yes_no", "out_of_area"} <= reasons
    for reason in reasons - {"out_of_area"}:
        assert f"ref_retry_{reason}" in MESSAGES, reason
    assert "ref_out_of_area" in MESSAGES


def test_the_form_in_the_domain_asks_the_questions_in_order() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    assert domain["forms"]["referral_form"]["required_slots"] == list(QUESTIONS)
    for slot in QUESTIONS:
        assert f"action_ask_{slot}" in domain["actions"]


def test_needs_match_the_directory_and_have_labels() -> None:
    assert set(NEEDS) == NEED_IDS
    for need in NEEDS:
        assert f"need_label_{need}" in MESSAGES


def test_every_summary_item_has_a_label_and_changes_real_questions() -> None:
    for item, slots in SUMMARY_ITEMS:
        assert f"summary_{item}" in MESSAGES
        assert set(slots) <= set(QUESTIONS)


def test_references_are_short_and_unambiguous() -> None:
    assert not set("0O1IL5S2ZUV") & set(REFERENCE_ALPHABET)
    references = {new_reference() for _ in range(2000)}
    assert len(references) == 2000
    for reference in references:
        assert re.fullmatch(rf"[{REFERENCE_ALPHABET}]{{3}}-[{REFERENCE_ALPHABET}]{{3}}", reference)
    assert normalize_reference("7kq m4p") == "7KQ-M4P"


def test_a_closed_referral_changes_no_more() -> None:
    assert all(TRANSITIONS[status] or status.value == "closed" for status in TRANSITIONS)


def test_every_question_says_why_it_is_asked() -> None:
    # actions/referral_form.py WHY_KEYS, read from the source (the app's tests have no rasa_sdk).
    why = dict(re.findall(r'^\s+"(ref_\w+)": "(ref_why_\w+)",$', FORM_SOURCE, flags=re.M))
    assert set(why) == set(QUESTIONS)
    for key in {*why.values(), "ref_who_sees"}:
        assert key in MESSAGES, key
