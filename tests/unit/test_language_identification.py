"""Which language a message is in, from its first word: script, cue words, neutral English words.

The examples are written for these tests (not taken from the NLU data or its held-out sets).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from api.directory import load_directory, role_names
from api.i18n import render
from api.languages import load_languages, named_language
from api.understanding import cues as C
from api.understanding.language import Detector, Guess

CUES = Path(__file__).resolve().parents[2] / "locales" / "language_cues.yml"


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(load_languages(), ignore=role_names(load_directory()))


# --- Script decides at once, at any length -------------------------------------------------------

BENGALI_SCRIPT = [
    "নমস্কার",
    "হ্যালো",
    "আসসালামু আলাইকুম",
    "সাহায্য দরকার",
    "হ্যাঁ",
    "আমার বাড়ি ভাড়া দিতে পারছি না",
    "link worker কী করেন?",
    "GP appointment পাচ্ছি না",
    "শুভ সকাল",
    "কেউ আছেন?",
]
URDU_SCRIPT = [
    "السلام علیکم",
    "آداب",
    "ہیلو",
    "مجھے مدد چاہیے",
    "جی ہاں",
    "میرا کرایہ بہت زیادہ ہے",
    "health coach کون ہوتا ہے؟",
    "council سے خط آیا ہے",
    "صبح بخیر",
    "کوئی ہے؟",
]


@pytest.mark.parametrize("text", BENGALI_SCRIPT)
def test_bengali_script_is_bengali_at_any_length(detector: Detector, text: str) -> None:
    for first in (True, False):
        assert detector.identify(text, first=first) == Guess("bn", how="script")


@pytest.mark.parametrize("text", URDU_SCRIPT)
def test_urdu_script_is_urdu_at_any_length(detector: Detector, text: str) -> None:
    for first in (True, False):
        assert detector.identify(text, first=first) == Guess("ur", how="script")


@pytest.mark.parametrize("text", ["السلام عليكم", "مرحبا كيف حالك", "أحتاج مساعدة"])
def test_arabic_letters_without_urdu_ones_are_offered_urdu(detector: Detector, text: str) -> None:
    guess = detector.identify(text, first=True)
    assert guess.language is None and guess.offer == ("ur",)


@pytest.mark.parametrize("text", ["৪", "১ ৩", "۴", "٣", "😀👍"])
def test_digits_and_emoji_of_any_script_decide_nothing(detector: Detector, text: str) -> None:
    # A menu answer in Bengali digits is a number, not Bengali.
    assert detector.identify(text, first=True) == Guess()


def test_a_script_no_language_here_uses_decides_nothing(detector: Detector) -> None:
    assert detector.identify("Здравствуйте, мне нужна помощь", first=True).language is None


# --- Greetings and first words decide a first message ---------------------------------------------

FIRST_MESSAGES = {
    "pt": ["Olá", "Ola!", "Oi", "oi", "Bom dia", "Boa tarde", "boa noite", "preciso de ajuda", "Olá bom dia"],
    "ro": ["Bună ziua", "Buna ziua", "Buna", "Bună dimineața", "buna seara", "Salut", "am nevoie de ajutor"],
    "pl": ["Cześć", "czesc", "Dzień dobry", "dzien dobry!", "Witam", "Dobry wieczór", "potrzebuję pomocy"],
    "en": ["Hi", "Hello", "hiya", "Good morning", "help me"],
}


@pytest.mark.parametrize(
    ("code", "text"), [(code, text) for code, texts in FIRST_MESSAGES.items() for text in texts]
)
def test_a_greeting_or_first_words_decide_a_first_message(detector: Detector, code: str, text: str) -> None:
    assert detector.identify(text, first=True).language == code


@pytest.mark.parametrize("text", ["Olá", "Cześć", "Buna", "Hi", "Dzień dobry"])
def test_a_greeting_later_in_a_conversation_switches_nothing(detector: Detector, text: str) -> None:
    assert detector.identify(text, first=False).language is None


@pytest.mark.parametrize(
    "text", ["tak", "da", "sim", "nie", "nu", "não", "yes", "no", "1", "ok", "obrigado", "dziękuję", "mersi"]
)
def test_yes_no_and_thanks_never_decide_even_first(detector: Detector, text: str) -> None:
    assert detector.identify(text, first=True).language is None


# --- English job titles and loan words are evidence of no language --------------------------------

MIXED = {
    "pl": [
        "Co robi link worker?",
        "Kim jest health coach?",
        "Czy social prescriber może mi pomóc?",
        "Gdzie jest council?",
        "Mam appointment z GP jutro",
        "Jak dostać benefits?",
        "Kto to jest care coordinator?",
        "Chcę porozmawiać z link worker",
    ],
    "ro": [
        "Ce face un link worker?",
        "Cine este health coach?",
        "Unde găsesc un social prescriber?",
        "Cum pot vorbi cu GP?",
        "Am nevoie de ajutor cu benefits",
        "Vreau un appointment la GP",
        "Ce face care coordinator?",
    ],
    "pt": [
        "O que faz o link worker?",
        "Quem é o health coach?",
        "Como falo com o social prescriber?",
        "Preciso de ajuda com benefits",
        "Onde fica o council?",
        "Tenho appointment no GP amanhã",
        "Quando posso falar com o care coordinator?",
    ],
    "en": [
        "What does a link worker do?",
        "Can I see a health coach",
        "my GP sent me to the council",
        "I need help with my benefits",
    ],
}


@pytest.mark.parametrize(("code", "text"), [(code, text) for code, texts in MIXED.items() for text in texts])
def test_english_titles_and_loan_words_do_not_pull_a_sentence_to_english(
    detector: Detector, code: str, text: str
) -> None:
    for first in (True, False):
        assert detector.identify(text, first=first).language == code


@pytest.mark.parametrize("text", ["link worker", "GP appointment", "health coach please", "council tax"])
def test_titles_and_loan_words_alone_decide_nothing_but_english(detector: Detector, text: str) -> None:
    assert detector.identify(text, first=True).language in (None, "en")


# --- Romanised Bengali and Urdu are offered, not switched to ---------------------------------------

ROMANISED = {
    "bn": [
        "ami sahajjo chai",
        "apnar sathe kotha bolte chai",
        "amar bari bhara dite parchi na",
        "taka nai",
        "apni kemon achen",
        "amake ekta kaj dorkar",
        "ami khub ekla",
        "kothay jabo bujhte parchi na",
        "afnar lagi kita korbam",
        "GP appointment lagbe amar",
    ],
    "ur": [
        "mujhe madad chahiye",
        "kya hai",
        "mera kiraya bahut zyada hai",
        "aap kaise hain",
        "mujhe naukri chahiye",
        "ghar mein paise nahi hain",
        "main bohat pareshan hoon",
        "koi hai",
        "link worker kya karta hai",
        "council ka khat aaya hai",
    ],
}


@pytest.mark.parametrize(
    ("code", "text"), [(code, text) for code, texts in ROMANISED.items() for text in texts]
)
def test_romanised_bengali_and_urdu_are_offered(detector: Detector, code: str, text: str) -> None:
    for first in (True, False):
        guess = detector.identify(text, first=first)
        assert guess.language is None and guess.offer == (code,), guess


NOT_ROMANISED = [
    # English with words that are also on the romanised lists
    "I'd like a chai latte",
    "is the co-op open on Sunday",
    "my taka sushi order",
    "hai there",
    "I have a Kia car",
    "can we talk about my rent please",
    "Bari is in Italy",
    "I need some help with my gas bill",
    # Polish, Romanian and Portuguese words that look romanised
    "taka jest sytuacja",
    "hai să mergem acasă",
    "Hai, spune-mi ce faci",
    "é mera formalidade",
    "kiedy mogę przyjść",
]


@pytest.mark.parametrize("text", NOT_ROMANISED)
def test_english_and_other_latin_languages_are_not_taken_for_romanised(detector: Detector, text: str) -> None:
    assert detector.identify(text, first=True).offer == ()


# --- Salam ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["salam", "Salaam", "Assalamu alaikum", "as-salamu alaykum", "AoA", "slm"])
def test_salam_alone_decides_nothing_and_offers_bengali_and_urdu(detector: Detector, text: str) -> None:
    assert detector.identify(text, first=True) == Guess(offer=("bn", "ur"), how="salam")


@pytest.mark.parametrize(
    ("text", "guess"),
    [
        ("salam, ami sahajjo chai", Guess(offer=("bn",), how="romanised")),
        ("Assalamu alaikum, mujhe madad chahiye", Guess(offer=("ur",), how="romanised")),
        ("Salam, can you help me with my rent", Guess("en", how="detector")),
        ("Salam, potrzebuję pomocy z rachunkami", Guess("pl", how="detector")),
    ],
)
def test_salam_with_other_words_leaves_it_to_them(detector: Detector, text: str, guess: Guess) -> None:
    assert detector.identify(text, first=True) == guess


# --- Longer messages, as before ---------------------------------------------------------------------

LONGER = {
    "en": ["I can't pay my electricity bill this month", "Who can help me feel less lonely"],
    "pl": ["Nie mogę zapłacić czynszu w tym miesiącu", "Czuję się bardzo samotna od kiedy mąż zmarł"],
    "ro": ["Nu pot să plătesc chiria luna aceasta", "Mă simt foarte singur de când am venit aici"],
    "pt": ["Não consigo pagar a renda este mês", "Sinto-me muito sozinha desde que cheguei"],
}


@pytest.mark.parametrize(("code", "text"), [(code, text) for code, texts in LONGER.items() for text in texts])
def test_longer_messages_are_detected(detector: Detector, code: str, text: str) -> None:
    assert detector.identify(text).language == code


# --- The data -----------------------------------------------------------------------------------------


def test_every_language_in_the_cue_file_is_configured() -> None:
    raw = yaml.safe_load(CUES.read_text(encoding="utf-8"))
    assert set(raw) - {"neutral"} <= set(load_languages())


def test_no_first_word_belongs_to_two_languages() -> None:
    cues = C.load_cues(tuple(load_languages()))
    seen: dict[C.Phrase, str] = {}
    for language in cues.languages.values():
        for phrase in language.first_words:
            assert phrase not in seen, f"{phrase} is in {seen.get(phrase)} and {language.code}"
            seen[phrase] = language.code


def test_romanised_words_are_no_first_words_and_no_neutral_words() -> None:
    cues = C.load_cues(tuple(load_languages()))
    first = {p for language in cues.languages.values() for p in language.first_words}
    for language in cues.languages.values():
        clashes = {w for w in language.romanised if (w,) in first or (w,) in cues.neutral}
        assert clashes == set(), language.code


def test_other_names_choose_a_language() -> None:
    cues = C.load_cues(tuple(load_languages()))
    assert C.named("Bengali", cues) == "bn" and C.named("po polsku", cues) == "pl"
    assert C.named("I speak bengali", cues) is None


def test_folding_matches_without_accents() -> None:
    assert [C.fold(w) for w in ["Cześć", "Bună", "Olá", "DZIĘKUJĘ", "Łódź", "Dimineața"]] == [
        "czesc",
        "buna",
        "ola",
        "dziekuje",
        "lodz",
        "dimineata",
    ]


# --- The offer ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", list(load_languages()))
def test_each_offer_line_names_a_reply_word_that_chooses_its_language(code: str) -> None:
    line = render("language_offer", code)[1]
    [word] = re.findall(r"\b[A-Z]{4,}\b", line)
    assert named_language(word, load_languages()) == code
    if code in ("bn", "ur"):
        assert line.isascii()  # in Latin letters: the resident typed the language that way


def test_an_offer_of_two_languages_is_a_line_in_each() -> None:
    body = render("language_offer", "en", {"languages": ["bn", "ur"]})[1]
    assert body.splitlines() == [render("language_offer", "bn")[1], render("language_offer", "ur")[1]]
    assert "BANGLA" in body and "URDU" in body
