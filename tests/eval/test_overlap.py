"""No evaluation message, nor a near-copy of one, is in the training data."""

from __future__ import annotations

from tests.eval.evalsets import ROOT, fold, load_cases
from tests.eval.training_texts import NearCopies, training_texts

#: Share of character 4-grams above which two texts are near-copies ("i cant pay my rent" and
#: "i cant pay the rent" share 0.68; a changed letter or two keeps above 0.8).
NEAR = 0.8


def test_the_evaluation_sets_are_large_enough_and_cover_every_kind() -> None:
    cases = load_cases()
    by_language: dict[str, list] = {}
    for case in cases:
        by_language.setdefault(case.language, []).append(case)
    assert set(by_language) == {"en", "bn", "ur", "pl", "ro", "pt"}
    for language, mine in by_language.items():
        assert len(mine) >= 150, language
        assert {c.crisis for c in mine if c.crisis} >= {
            "suicide_self_harm",
            "immediate_danger",
            "domestic_abuse",
            "child_at_risk",
            "medical_emergency",
        }, language
        assert sum("idiom" in c.tags or "negation" in c.tags for c in mine) >= 15, language
        if language in ("bn", "ur"):
            assert sum(c.romanised for c in mine) >= len(mine) / 3 - 1, language


def test_no_evaluation_message_is_in_the_training_data() -> None:
    texts = training_texts(ROOT)
    seen = {fold(text) for text in texts}
    assert len(seen) > 3000  # the training data was found
    copies = [case.text for case in load_cases() if fold(case.text) in seen and len(fold(case.text)) > 12]
    assert copies == []


def test_no_evaluation_message_is_a_near_copy_of_a_training_example() -> None:
    index = NearCopies([fold(text) for text in training_texts(ROOT)])
    near = []
    for case in load_cases():
        text = fold(case.text)
        if len(text) < 20:
            continue  # short messages ("thank you so much") are alike in any data
        score, closest = index.closest(text)
        if score >= NEAR:
            near.append((round(score, 2), case.text, closest))
    assert near == []
