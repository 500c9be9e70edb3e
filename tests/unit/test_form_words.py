"""Reading residents' own words inside the referral form (actions/form_words.py and .yml)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from actions import form_words as fw
from actions.answers import CONTACT_TIMES, CONTACT_WAYS, NEEDS, SUMMARY_ITEMS
from api.languages import load_languages

FOR_WHOM = ("self", "other")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("for me", "self"),
        ("It's for ME!", "self"),
        ("fro me", "self"),
        ("dla mnie", "self"),
        ("para mim", "self"),
        ("pentru mine", "self"),
        ("আমার জন্য", "self"),
        ("amar jonno", "self"),
        ("میرے لیے", "self"),
        ("mere liye", "self"),
        ("1", "self"),
        ("for my mum", "other"),
        ("not me, my mum", "other"),
        ("dla mojej mamy", "other"),
        ("para outra pessoa", "other"),
        ("pentru altcineva", "other"),
        ("অন্য কারো জন্য", "other"),
        ("کسی اور کے لیے", "other"),
        ("kisi aur ke liye", "other"),
        ("2", "other"),
    ],
)
def test_who_the_help_is_for_by_its_own_words(text: str, expected: str) -> None:
    assert fw.choice(text, "ref_for_whom", FOR_WHOM) == expected


@pytest.mark.parametrize("text", ["3", "me and my mum", "banana", "", "for", "1 2"])
def test_no_single_clear_answer_is_no_answer(text: str) -> None:
    assert fw.choice(text, "ref_for_whom", FOR_WHOM) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("by phone", ["call"]),
        ("text is fine", ["sms"]),
        ("Textt is fine", ["sms"]),
        ("phne call", ["call"]),
        ("whatsapp or call", ["whatsapp", "call"]),
        ("1 and whatsapp", ["sms", "whatsapp"]),
        ("not by phone, text please", ["sms"]),
        ("all of them", ["sms", "whatsapp", "call"]),
        ("przez telefon", ["call"]),
        ("prin sms", ["sms"]),
        ("por telefone", ["call"]),
        ("ফোনে", ["call"]),
        ("হোয়াটসঅ্যাপে", ["whatsapp"]),
        ("فون پر", ["call"]),
        ("فون نہیں، میسج", ["sms"]),
        ("phone korben", ["call"]),
        ("1 3", ["sms", "call"]),
    ],
)
def test_ways_to_contact_by_their_own_words(text: str, expected: list[str]) -> None:
    assert fw.choices(text, "ref_contact_ways", CONTACT_WAYS) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mornings best", ["morning"]),
        ("in the mornin", ["morning"]),
        ("after 5", ["evening"]),
        ("after 5pm", ["evening"]),
        ("not in the morning, evenings", ["evening"]),
        ("morning or afternoon", ["morning", "afternoon"]),
        ("any time", ["any"]),
        ("rano", ["morning"]),
        ("wieczorem", ["evening"]),
        ("dimineața", ["morning"]),
        ("dupa amiaza", ["afternoon"]),
        ("de manhã", ["morning"]),
        ("à noite", ["evening"]),
        ("সকালে", ["morning"]),
        ("৫টার পর", ["evening"]),
        ("sokale", ["morning"]),
        ("صبح", ["morning"]),
        ("شام کو", ["evening"]),
        ("subah", ["morning"]),
        ("2 4", ["afternoon", "any"]),
    ],
)
def test_times_to_contact_by_their_own_words(text: str, expected: list[str]) -> None:
    assert fw.choices(text, "ref_contact_times", CONTACT_TIMES) == expected


@pytest.mark.parametrize("text", ["5", "0", "sometime maybe", "not in the morning"])
def test_a_number_off_the_list_or_no_option_is_no_answer(text: str) -> None:
    assert fw.choices(text, "ref_contact_times", CONTACT_TIMES) is None


def test_needs_by_their_own_words_and_numbers() -> None:
    assert fw.choices("money and housing", "ref_needs", NEEDS) == ["money", "housing"]
    assert fw.choices("টাকা আর বাসা", "ref_needs", NEEDS) == ["money", "housing"]
    assert fw.choices("bani și chirie", "ref_needs", NEEDS) == ["money", "housing"]
    assert fw.choices("2 8", "ref_needs", NEEDS) == ["benefits_forms", "mental_health"]
    assert fw.choices("13", "ref_needs", NEEDS) is None


def test_a_summary_item_by_its_words() -> None:
    items = tuple(name for name, _ in SUMMARY_ITEMS)
    assert fw.choice("change my postcode", "ref_confirm", items) == "postcode"
    assert fw.choice("kod pocztowy", "ref_confirm", items) == "postcode"
    assert fw.choice("6", "ref_confirm", items) == "postcode"
    assert fw.choice("জন্ম তারিখ", "ref_confirm", items) == "dob"


@pytest.mark.parametrize(
    "text",
    [
        "yes send it",
        "Yes that's right",
        "ok go ahead",
        "yesss",
        "no problem",
        "tak, wyślij",
        "da, trimite",
        "sim, envie",
        "হ্যাঁ পাঠান",
        "ji haan",
        "ہاں بھیج دیں",
        "ٹھیک ہے",
    ],
)
def test_yes_in_many_words(text: str) -> None:
    assert fw.yes_or_no(text) is True


@pytest.mark.parametrize(
    "text", ["no", "nope", "don't send it", "nie", "nu", "não", "না", "nahi", "نہیں", "no one"]
)
def test_no_in_many_words(text: str) -> None:
    assert fw.yes_or_no(text) is False


@pytest.mark.parametrize("text", ["not sure", "no, yes", "maybe", "I think I will call later", ""])
def test_unclear_is_neither(text: str) -> None:
    assert fw.yes_or_no(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("why do you need this?", "why"),
        ("Why?", "why"),
        ("po co wam to?", "why"),
        ("de ce aveți nevoie?", "why"),
        ("para que precisam disto?", "why"),
        ("এটা কেন লাগবে?", "why"),
        ("یہ کیوں چاہیے؟", "why"),
        ("who will see this?", "who_sees"),
        ("kto to zobaczy?", "who_sees"),
        ("কে দেখবে?", "who_sees"),
        ("kaun dekhega", "who_sees"),
        ("what is a link worker?", "role:link_worker"),
        ("লিংক ওয়ার্কার কী?", "role:link_worker"),
        ("is it free?", "free"),
    ],
)
def test_questions_about_the_form(text: str, expected: str) -> None:
    assert fw.question(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "porque preciso de ajuda com a renda",  # "because ...": an answer, not "why?"
        "I do not know why I feel so low all the time",
        "Sam",
        "1",
        "my landlord wants to know who will see this and why do you need my details and more",
    ],
)
def test_answers_are_not_questions(text: str) -> None:
    assert fw.question(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I want to carry on",
        "continue",
        "let's finish the form",
        "chcę kontynuować",
        "vreau să continui",
        "quero continuar",
        "চালিয়ে যেতে চাই",
        "جاری رکھنا چاہتا ہوں",
        "jari rakhein",
    ],
)
def test_carrying_on(text: str) -> None:
    assert fw.wants_to_carry_on(text)


@pytest.mark.parametrize(
    "text", ["I don't want to continue", "nie chcę kontynuować", "i want to carry on with my life somehow"]
)
def test_not_carrying_on(text: str) -> None:
    assert not fw.wants_to_carry_on(text)


def test_folding_is_the_same_for_words_and_messages() -> None:
    assert fw.fold("YESSS, that's right!") == ["yes", "|", "thats", "right", "|"]
    assert fw.fold("Dimineață ৫pm") == ["dimineata", "5", "pm"]
    # Arabic-keyboard letters read as Urdu ones.
    assert fw.fold("كيا") == fw.fold("کیا")


def _data() -> dict[str, object]:
    return fw._data()


def test_every_option_has_words_in_every_language() -> None:
    languages = set(load_languages())
    for question, options in _data()["choices"].items():  # type: ignore[attr-defined]
        for option, words in options.items():
            assert set(words) == languages, f"{question}/{option}"
    for section in ("answers", "questions"):
        for value, words in _data()[section].items():  # type: ignore[attr-defined]
            assert set(words) == languages, f"{section}/{value}"
    assert set(_data()["resume"]) == languages  # type: ignore[arg-type]


@pytest.mark.parametrize("section", ["choices", "answers", "questions"])
def test_no_phrase_means_two_things_in_one_question(section: str) -> None:
    groups = _data()[section]
    if section != "choices":
        groups = {section: groups}
    for name, by_value in groups.items():  # type: ignore[attr-defined]
        meanings: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for phrase in fw._phrases(by_value):
            meanings[phrase.words].add(phrase.value)
        clashes = {" ".join(w): v for w, v in meanings.items() if len(v) > 1}
        assert clashes == {}, f"{name}: {clashes}"


def test_options_in_the_words_are_the_forms_options() -> None:
    choices = _data()["choices"]
    assert set(choices["ref_contact_ways"]) == {*CONTACT_WAYS, fw.ALL}  # type: ignore[index]
    assert set(choices["ref_contact_times"]) == set(CONTACT_TIMES)  # type: ignore[index]
    assert set(choices["ref_needs"]) == set(NEEDS)  # type: ignore[index]
    assert set(choices["ref_for_whom"]) == set(FOR_WHOM)  # type: ignore[index]
    assert set(choices["ref_confirm"]) <= {name for name, _ in SUMMARY_ITEMS}  # type: ignore[index]
