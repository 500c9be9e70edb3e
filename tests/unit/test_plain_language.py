"""Every resident-facing English text: plain words, short sentences, at most two GSM-7 SMS parts.

Role explanations and need answers must also read at Flesch-Kincaid grade 6 or lower.
`make text-report` prints the same measures for every message.
"""

from __future__ import annotations

import pytest

from api.languages import load_languages
from scripts.text_checks import Text, all_texts, grade

TEXTS = list(all_texts("en"))


@pytest.mark.parametrize("text", TEXTS, ids=lambda t: t.ref)
def test_text_is_plain_short_and_fits_two_sms(text: Text) -> None:
    assert text.problems() == []


def test_the_checks_catch_what_they_should() -> None:
    bad = Text(
        "sample",
        "en",
        "Our multidisciplinary team will signpost you along a holistic pathway of care for people "
        "with complex co-morbidities who require coordinated interventions across organisational "
        "boundaries, which is something we’re proud of.",
        graded=True,
    )
    problems = " ".join(bad.problems())
    for expected in ("not GSM-7", "sentence of", "jargon", "curly", "reading grade"):
        assert expected in problems
    assert grade("You can talk to someone. It is free.") < 6


def test_directory_answers_are_measured() -> None:
    refs = {t.ref.split("/")[1] for t in TEXTS if "/" in t.ref}
    assert {"role_about", "role_details", "role_access", "need_answer"} <= refs


@pytest.mark.parametrize("code", [c for c in load_languages() if c != "en"])
def test_every_translated_text_renders_and_fits_six_ucs2_segments(code: str) -> None:
    # all_texts() also checks that every message renders with its parameters, not the fallback.
    problems = {t.ref: t.problems() for t in all_texts(code) if t.problems()}
    assert problems == {}
