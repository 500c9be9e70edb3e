"""The safety screen on the labelled sets (tests/safety/<lang>.yml), in every language.

Every crisis message must be caught, by every list together (as in the gateway), and
nearly all under their own category. False alarms on ordinary messages are counted by
`python -m bench.safety`; here only the issue's own examples are held to zero.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from api.languages import load_languages
from api.safety.phrases import CATEGORIES, load_negation, load_phrases, normalize, screen
from api.safety.step import categories

ROOT = Path(__file__).resolve().parents[2]


def labelled(code: str) -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load(
        (ROOT / "tests" / "safety" / f"{code}.yml").read_text(encoding="utf-8")
    )
    return data


@pytest.mark.parametrize("code", list(load_languages()))
def test_every_crisis_message_is_caught(code: str) -> None:
    crisis = labelled(code)["crisis"]
    assert isinstance(crisis, dict) and set(crisis) == set(CATEGORIES)
    missed = [(category, text) for category, texts in crisis.items() for text in texts if not screen(text)]
    assert missed == []


def test_nearly_every_crisis_gets_the_routes_for_its_own_kind() -> None:
    # Caught under another category, a message still gets 999; its own kind adds the
    # right helpline (the abuse line, Samaritans). Measured per language by bench/safety.py.
    right = total = 0
    for code in load_languages():
        crisis = labelled(code)["crisis"]
        assert isinstance(crisis, dict)
        for category, texts in crisis.items():
            for text in texts:
                total += 1
                right += category in categories(screen(text))
    assert right / total >= 0.95, f"{right}/{total}"


@pytest.mark.parametrize(
    "text",
    [
        "my rent is killing me",
        "I'm dying to know when my appointment is",
        "this form is killing me lol",
        "hello",
        "my husband died last year and I feel lonely",
    ],
)
def test_everyday_words_are_not_a_crisis(text: str) -> None:
    assert screen(text) == []


def test_normalising_keeps_bengali_and_urdu_words_whole() -> None:
    assert normalize("আমি আর বাঁচতে চাই না") == ["আমি", "আর", "বাঁচতে", "চাই", "না"]
    assert normalize("I dont want to be here anymoreee!!")[-1] == "anymore"
    assert normalize("Chcę się ZABIĆ") == ["chce", "sie", "zabic"]


def test_urdu_typed_on_an_arabic_keyboard_is_read_as_urdu() -> None:
    assert normalize("زندگي سے تنگ") == normalize("زندگی سے تنگ")
    assert normalize("ميں خودکشي كرنا") == normalize("میں خودکشی کرنا")


def test_every_language_has_phrases_in_every_category() -> None:
    phrases = load_phrases()
    for code in load_languages():
        for category in CATEGORIES:
            assert any(p.language == code and p.category == category for p in phrases), (code, category)


def _every_text(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _every_text(v)]
    if isinstance(value, list):
        return [t for v in value for t in _every_text(v)]
    return []


def test_the_index_finds_exactly_what_checking_every_phrase_finds() -> None:
    # screen() looks only at the phrases a message could contain; on every labelled message
    # (crisis and ordinary, all languages) and on each phrase written out, it must give the
    # same phrases, in the same order, as trying all of them.
    phrases = load_phrases()
    negation = load_negation()
    texts = [t for code in load_languages() for t in _every_text(labelled(code))]
    texts += [" ".join(w.rstrip("*") + ("ing" if w.endswith("*") else "") for w in p.words) for p in phrases]
    differ = []
    for text in texts:
        words = normalize(text)
        every = [
            p
            for p in phrases
            if p.exact_words <= set(words)
            and any(not negation.negates(p, words, *span) for span in p.spans(words))
        ]
        if screen(text) != every:
            differ.append(text)
    assert differ == []
    assert sum(bool(screen(t)) for t in texts) > len(phrases)  # the check really saw matches


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("I'm not suicidal, I just need help with my gas bill", False),
        ("nie jestem samobójcą, potrzebuję pomocy z czynszem", False),
        ("nu sunt in pericol, doar am nevoie de ajutor cu facturile", False),
        ("não estou em perigo, só preciso de ajuda com a renda", False),
        # Right next to the phrase only: these stay crises.
        ("I'm not ok, I want to kill myself", True),
        ("nie mogę, zabiję się", True),
        ("I don't want to live any more", True),
        ("I'm suicidal, not joking", True),
    ],
)
def test_a_not_right_before_a_phrase_turns_it_round(text: str, flagged: bool) -> None:
    assert bool(screen(text)) is flagged
