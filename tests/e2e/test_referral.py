"""A whole self-referral through the signed webhook, the worker, the real Rasa model and
the action server, in each supported language: with one invalid date, one invalid
postcode and one edit from the summary. Residents' words come from tests/e2e/phrases/.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.dates import format_date

from actions.answers import parse_date
from api.i18n import locale_of
from api.languages import load_languages
from scripts.stack import Stack
from tests.support import Database, Gateway, Resident, converse, keys

pytestmark = pytest.mark.stack

PHRASES = Path(__file__).parent / "phrases"
#: Digits as a resident of each language may type them (the gateway reads them all).
DIGITS = {"bn": "০১২৩৪৫৬৭৮৯", "ur": "۰۱۲۳۴۵۶۷۸۹"}


def phrases(code: str) -> dict[str, str]:
    raw: dict[Any, Any] = yaml.safe_load((PHRASES / f"{code}.yml").read_text(encoding="utf-8"))
    # YAML 1.1 reads bare yes/no keys as booleans.
    named = {True: "yes", False: "no"}
    return {named.get(k, k): str(v) for k, v in raw.items()}


def digits(text: str, code: str) -> str:
    table = DIGITS.get(code)
    return text.translate(str.maketrans("0123456789", table)) if table else text


def referral_rows(db: Database, number: str) -> list[dict[str, Any]]:
    return db.rows(
        "SELECT r.* FROM referrals r JOIN contacts c ON r.contact_id = c.id WHERE c.phone = :phone",
        phone=number,
    )


@pytest.mark.parametrize("code", list(load_languages()))
def test_a_referral_is_completed_in_each_language(
    healthy: Stack, gateway: Gateway, db: Database, code: str
) -> None:
    say = phrases(code)
    resident = Resident(gateway)

    def turn(text: str) -> list[str]:
        return keys(converse(resident, db, text))

    opening = converse(resident, db, say["opening"])
    # A language other than the default is confirmed, in that language.
    assert (opening[0]["key"] == "language_detected") == (code != "en")
    contact = db.rows("SELECT language, language_source FROM contacts WHERE phone = :p", p=resident.number)[0]
    assert (contact["language"], contact["language_source"]) == (code, "detected")

    assert turn(say["want_help"]) == ["ref_intro", "ask_ref_story"]
    assert turn(say["story"]) == ["ask_ref_needs"]
    assert turn(digits("2 8", code)) == ["ask_ref_for_whom"]
    assert turn(digits("1", code)) == ["ask_ref_first_name"]
    assert turn(say["first_name"]) == ["ask_ref_surname"]
    assert turn(say["skip"]) == ["ask_ref_dob"]
    assert turn(say["bad_date"]) == ["ref_retry_dob"]
    assert turn(say["birth_date_words"]) == ["ask_ref_postcode"]
    assert turn("E15 ABC") == ["ref_retry_postcode"]
    assert turn("e15 4ht") == ["ask_ref_gp"]
    assert turn(say["gp"]) == ["ask_ref_contact_ways"]
    assert turn(digits("1 3", code)) == ["ask_ref_contact_times"]
    assert turn(digits("1", code)) == ["ask_ref_private"]
    assert turn(say["no"]) == ["ask_ref_interpreter"]
    assert turn(say["yes"]) == ["ask_ref_access"]
    assert turn(say["access"]) == ["ask_ref_consent"]

    summary = converse(resident, db, say["yes"])
    assert keys(summary) == ["referral_summary"]
    born = parse_date(say["birth_date_words"], date.today())
    assert born is not None and 1950 <= born.year <= 1990
    body = summary[0]["body"]
    assert say["first_name"] in body and "E15 4HT" in body
    assert format_date(born, format="long", locale=locale_of(code)) in body

    # Change the postcode (item 6), then see the summary again.
    assert turn(digits("6", code)) == ["ask_ref_postcode"]
    changed = converse(resident, db, "E13 9AZ")
    assert keys(changed) == ["referral_summary"] and "E13 9AZ" in changed[0]["body"]

    sent = converse(resident, db, say["yes"])
    assert keys(sent) == ["referral_sent"]
    [referral] = referral_rows(db, resident.number)
    assert referral["reference"] in sent[0]["body"]
    assert referral["language"] == code and referral["status"] == "new" and referral["area"] == "newham"
    answers = (
        referral["answers"] if isinstance(referral["answers"], dict) else json.loads(referral["answers"])
    )
    assert answers["story"] == say["story"].strip()
    assert answers["needs"] == ["benefits_forms", "mental_health"]
    assert answers["first_name"] == say["first_name"] and answers["surname"] == "-"
    assert answers["dob"] == born.isoformat() and answers["postcode"] == "E13 9AZ"
    assert answers["contact_ways"] == ["sms", "call"] and answers["contact_times"] == ["morning"]
    assert (answers["private"], answers["interpreter"]) == ("no", "yes")

    # Saying yes again creates nothing new.
    converse(resident, db, say["yes"])
    assert len(referral_rows(db, resident.number)) == 1

    status = converse(resident, db, say["status_question"])
    assert keys(status) == ["referral_status_new"] and referral["reference"] in status[0]["body"]


@pytest.mark.parametrize("code", list(load_languages()))
def test_stop_and_status_in_each_language(healthy: Stack, gateway: Gateway, db: Database, code: str) -> None:
    say = phrases(code)
    resident = Resident(gateway)
    converse(resident, db, say["opening"])
    assert keys(converse(resident, db, say["want_help"])) == ["ref_intro", "ask_ref_story"]
    assert keys(converse(resident, db, say["stop"])) == ["ref_stopped"]
    assert keys(converse(resident, db, say["status_question"])) == ["referral_status_none"]
