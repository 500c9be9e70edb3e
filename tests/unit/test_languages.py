"""The language list is configuration: a seventh language needs no code."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.directory import load_directory, role_names
from api.languages import (
    is_menu_word,
    load_languages,
    menu_choice,
    named_language,
    normalize_digits,
)
from api.understanding.language import Detector

ROOT = Path(__file__).resolve().parents[2]


def test_the_six_languages_in_order_with_their_own_names() -> None:
    languages = load_languages()
    assert list(languages) == ["en", "bn", "ur", "pl", "ro", "pt"]
    assert [lang.name for lang in languages.values()] == [
        "English",
        "বাংলা",
        "اردو",
        "Polski",
        "Română",
        "Português",
    ]
    assert languages["ur"].rtl and not languages["pl"].rtl


def test_digits_of_any_script_become_ascii() -> None:
    assert normalize_digits("১৯৮০ ٣ ۴ ١٢ 7") == "1980 3 4 12 7"
    assert normalize_digits("no digits") == "no digits"


@pytest.mark.parametrize("text", ["LANG", "lang", "Language", " language. ", "languages"])
def test_menu_words(text: str) -> None:
    assert is_menu_word(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [("polski", "pl"), ("বাংলা", "bn"), ("اردو", "ur"), ("Romana", "ro"), ("português!", "pt"), ("Urdu", "ur")],
)
def test_a_language_named_on_its_own(text: str, code: str) -> None:
    assert named_language(text, load_languages()) == code


def test_a_name_inside_a_sentence_is_not_a_choice() -> None:
    assert named_language("i speak polski a bit", load_languages()) is None


def test_menu_answers_by_number_in_any_digits_or_by_name() -> None:
    languages = load_languages()
    assert menu_choice("1", languages) == "en"
    assert menu_choice("৩", languages) == "ur"
    assert menu_choice("6.", languages) == "pt"
    assert menu_choice("7", languages) is None
    assert menu_choice("română", languages) == "ro"


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(load_languages(), ignore=role_names(load_directory()))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I can't pay my rent this month", "en"),
        ("আমি খুব একা বোধ করি", "bn"),
        ("میں بہت اکیلا محسوس کرتا ہوں", "ur"),
        ("Dzień dobry, potrzebuję pomocy z rachunkami", "pl"),
        ("Bună ziua, am nevoie de ajutor cu chiria", "ro"),
        ("Olá, preciso de ajuda com a renda", "pt"),
    ],
)
def test_detection_of_messages_of_three_words_or_more(detector: Detector, text: str, code: str) -> None:
    assert detector.detect(text) == code


@pytest.mark.parametrize(
    "text", ["what is a care navigator", "where is the care navigator based", "community connector please"]
)
def test_job_titles_are_not_taken_for_another_language(detector: Detector, text: str) -> None:
    assert detector.detect(text) in ("en", None)


@pytest.mark.parametrize("text", ["tak", "da", "sim", "yes please", "1", "ok 2"])
def test_short_replies_are_never_detected(detector: Detector, text: str) -> None:
    assert detector.detect(text) is None


def test_a_seventh_language_is_one_line_of_configuration(tmp_path: Path) -> None:
    config = tmp_path / "languages.yml"
    config.write_text((ROOT / "locales" / "languages.yml").read_text() + "fr: fr_FR\n", encoding="utf-8")
    languages = load_languages(config)
    assert list(languages)[-1] == "fr" and languages["fr"].name == "Français"
    assert menu_choice("7", languages) == "fr" and named_language("francais", languages) == "fr"
    assert Detector(languages).detect("Bonjour, j'ai besoin d'aide pour payer mon loyer") == "fr"


def test_a_locale_that_does_not_match_its_code_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "languages.yml"
    config.write_text("en: en_GB\npl: pt_PT\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not for language pl"):
        load_languages(config)


@pytest.mark.parametrize("code", list(load_languages()))
def test_every_language_has_its_catalog_nlu_data_and_test_sets(code: str) -> None:
    locale = load_languages()[code].locale
    assert (ROOT / "data" / "nlu" / f"{code}.yml").exists()
    assert (ROOT / "tests" / "nlu" / f"{code}_test.yml").exists()
    assert (ROOT / "tests" / "e2e" / "phrases" / f"{code}.yml").exists()
    assert (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").exists()
