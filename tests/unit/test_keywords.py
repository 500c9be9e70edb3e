"""SMS keywords: the whole message only, English everywhere, each language's own words."""

from __future__ import annotations

import pytest

from api.i18n import translations
from api.keywords import KEYWORDS, keyword_of, keyword_table
from api.languages import load_languages


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("STOP", "stop"),
        ("stop.", "stop"),
        ("Unsubscribe!", "stop"),
        ("opt-out", "stop"),
        ("anuluj", "stop"),
        ("বন্ধ", "stop"),
        ("band karo", "stop"),
        ("START", "start"),
        ("help", "help"),
        ("AJUTOR", "help"),
    ],
)
def test_keywords(text: str, kind: str) -> None:
    assert keyword_of(text) == kind


@pytest.mark.parametrize(
    "text",
    ["stop the questions", "i cant stop crying", "no", "nie", "não", "yes", "tak", "skip", "help me please"],
)
def test_words_that_are_not_keywords(text: str) -> None:
    assert keyword_of(text) is None


@pytest.mark.parametrize("code", [c for c in load_languages() if c != "en"])
def test_each_language_keeps_the_english_words_and_adds_its_own(code: str) -> None:
    for words in KEYWORDS.values():
        translated = translations(code).gettext(words)
        assert {w.strip() for w in words.split(",")} <= {w.strip() for w in translated.split(",")}
        assert len(translated.split(",")) > len(words.split(","))


def test_no_word_means_two_things() -> None:
    # The table keeps the first meaning; check every catalog agrees with it.
    table = keyword_table()
    for code in load_languages():
        for kind, words in KEYWORDS.items():
            for word in translations(code).gettext(words).split(","):
                assert keyword_of(word) == kind, (code, word, table.get(word))


def test_after_stop_only_the_confirmation_help_and_safety_replies_may_go() -> None:
    from datetime import UTC, datetime

    from api.db.models import Contact
    from api.worker.keywords import may_send

    contact = Contact(phone="+447911123456")
    assert may_send(contact, "referral_accepted")
    contact.opted_out_at = datetime.now(UTC)
    assert not may_send(contact, "referral_accepted") and not may_send(contact, "greet")
    assert not may_send(contact, None)
    for key in ("optout_confirmed", "keyword_help", "optin_confirmed", "safety_suicide_self_harm"):
        assert may_send(contact, key)
