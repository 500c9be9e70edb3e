"""The independent evaluation sets against the trained model and both safety nets.

Intents come from the running Rasa server (the model `make train` built), crises from the
two nets that run before the bot: the phrase lists and the semantic net (with the embedding
engine the workers use). The figures are printed and written to var/eval/report.md.

The issue's bars are 95% intent accuracy in every language, every crisis caught and at most
2% false alarms. The floors below are what the system reaches today (docs/understanding.md),
so that nothing falls back while the gap is closed; raise them as it closes.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.directory import load_directory, role_names
from api.languages import load_languages
from api.safety.phrases import screen
from api.understanding import Understanding
from api.understanding.language import Detector
from scripts.stack import Stack
from tests.eval.evalsets import ROOT, Report, load_cases

#: Floors, a little under what was measured on 2026-12-08 (docs/understanding.md): intent
#: accuracy and reply language per language, crises missed in all (15 of 220 measured), and
#: false alarms of the phrase lists (they silence: 2.7%) and of both nets (11.6%).
MIN_ACCURACY = {"en": 0.80, "bn": 0.75, "ur": 0.71, "pl": 0.76, "ro": 0.78, "pt": 0.76}
MIN_LANGUAGE = {"en": 0.95, "bn": 0.76, "ur": 0.87, "pl": 0.96, "ro": 0.89, "pt": 0.96}
MAX_MISSED = 17
MAX_PHRASE_ALARMS = 0.035
MAX_MEANING_ALARMS = 0.13


@pytest.fixture(scope="module")
def report(stack: Stack) -> tuple[Report, Report]:
    """(both nets, the phrase lists alone)."""
    understanding = Understanding.load(str(ROOT / "models" / "safety-semantic.npz"))
    assert understanding.status == "ok", understanding.status
    assert understanding.embedder is not None
    detector = Detector(load_languages(), ignore=role_names(load_directory()))
    url = stack.urls()["rasa"].rstrip("/") + "/model/parse"
    cases = load_cases()
    vectors = understanding.embedder.embed([case.text for case in cases])
    both, phrases_only = Report(), Report()
    auth = {"Authorization": f"Bearer {stack.env['RASA_TOKEN']}"}
    with httpx.Client(timeout=30, headers=auth) as client:
        for case, vector in zip(cases, vectors, strict=True):
            parsed = client.post(url, json={"text": case.text})
            assert parsed.status_code == 200, parsed.text
            intent = parsed.json()["intent"]["name"]
            by_phrase = sorted({hit.category for hit in screen(case.text)})
            by_meaning = understanding.crisis_kinds(vector)
            # Each message as a resident's first. A romanised Bengali or Urdu message is
            # answered in English with the language offered: right if the offer is its language.
            guess = detector.identify(case.text, first=True)
            language = guess.language
            if language is None and case.romanised and case.language in guess.offer:
                language = case.language
            both.add(case, intent, by_phrase + by_meaning, language)
            phrases_only.add(case, intent, by_phrase, language)
    out = ROOT / "var" / "eval"
    out.mkdir(parents=True, exist_ok=True)
    languages = {case.language for case in cases}
    text = (
        "## Both nets\n\n"
        + both.markdown(languages)
        + "\n\n## The phrase lists alone\n\n"
        + phrases_only.markdown(languages)
        + "\n"
    )
    Path(out / "report.md").write_text(text, encoding="utf-8")
    print("\n" + text)
    return both, phrases_only


def test_intent_accuracy_per_language(report: tuple[Report, Report]) -> None:
    both, _ = report
    below = {
        lang: round(tally.rate, 3) for lang, tally in both.intents.items() if tally.rate < MIN_ACCURACY[lang]
    }
    assert below == {}


def test_reply_language_per_language(report: tuple[Report, Report]) -> None:
    both, _ = report
    rates = {lang: round(tally.rate, 3) for lang, tally in both.languages.items()}
    below = {lang: rate for lang, rate in rates.items() if rate < MIN_LANGUAGE[lang]}
    assert below == {}


def test_crises_are_caught(report: tuple[Report, Report]) -> None:
    both, phrases_only = report
    assert len(both.missed) <= MAX_MISSED, [(c.language, c.crisis) for c in both.missed]
    # The semantic net adds to the phrase lists: it catches crises they miss.
    assert len(both.missed) < len(phrases_only.missed)


def test_false_alarms(report: tuple[Report, Report]) -> None:
    both, phrases_only = report
    assert phrases_only.false_alarm_rate() <= MAX_PHRASE_ALARMS
    assert both.false_alarm_rate() <= MAX_MEANING_ALARMS
