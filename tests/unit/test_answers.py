"""Reading referral answers: dates the local way in every language, postcodes, choices, names."""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import get_month_names

from actions.answers import (
    age_on,
    area_for,
    clean_name,
    normalize_postcode,
    parse_choice,
    parse_choices,
    parse_date,
)
from api.languages import load_languages, normalize_digits

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25/12/1980", date(1980, 12, 25)),
        ("7.03.1961", date(1961, 3, 7)),
        ("7-3-61", date(1961, 3, 7)),
        ("07 03 1961", date(1961, 3, 7)),
        ("1961-03-07", date(1961, 3, 7)),
        ("7/3/05", date(2005, 3, 7)),
        ("7th March 1961", date(1961, 3, 7)),
        ("March 7 1961", date(1961, 3, 7)),
        ("7 Mar. 1961", date(1961, 3, 7)),
        ("12 maja 1974", date(1974, 5, 12)),
        ("7 de março de 1961", date(1961, 3, 7)),
        ("7 de marco de 1961", date(1961, 3, 7)),
        ("3 martie 1970", date(1970, 3, 3)),
        ("15 মার্চ 1962", date(1962, 3, 15)),
        ("12 مارچ 1980", date(1980, 3, 12)),
    ],
)
def test_dates_written_the_local_way(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("code", list(load_languages()))
def test_every_month_name_of_every_language_is_read(code: str) -> None:
    locale = load_languages()[code].locale
    for month, name in get_month_names("wide", "format", locale).items():
        assert parse_date(f"9 {name} 1975", TODAY) == date(1975, month, 9), name
    for month, name in get_month_names("wide", "stand-alone", locale).items():
        assert parse_date(f"9 {name} 1975", TODAY) == date(1975, month, 9), name


def test_bengali_and_urdu_digits_become_a_date_once_normalised() -> None:
    assert parse_date(normalize_digits("১৫/০৩/১৯৬২"), TODAY) == date(1962, 3, 15)
    assert parse_date(normalize_digits("۱۲ مارچ ۱۹۸۰"), TODAY) == date(1980, 3, 12)
    assert parse_date(normalize_digits("١٢/٠٣/١٩٨٠"), TODAY) == date(1980, 3, 12)


@pytest.mark.parametrize("text", ["31/02/1975", "32/01/1980", "12/13/1980", "sometime in spring", "", "1980"])
def test_impossible_or_unreadable_dates_are_refused(text: str) -> None:
    assert parse_date(text, TODAY) is None


def test_age_counts_birthdays() -> None:
    assert age_on(date(2010, 11, 22), TODAY) == 16
    assert age_on(date(2010, 11, 23), TODAY) == 15


@pytest.mark.parametrize(
    ("text", "expected"),
    [("e154ht", "E15 4HT"), ("E15 4HT", "E15 4HT"), ("sw1a 1aa", "SW1A 1AA"), (" n16-7ab ", "N16 7AB")],
)
def test_uk_postcodes_are_normalised(text: str, expected: str) -> None:
    assert normalize_postcode(text) == expected


@pytest.mark.parametrize("text", ["E15", "12345", "E15 ABC", "QQ1 1QQ7", "hello"])
def test_non_postcodes_are_refused(text: str) -> None:
    assert normalize_postcode(text) is None


def test_postcodes_find_their_area_from_the_directory() -> None:
    assert area_for("E15 4HT") == "newham"
    assert area_for("E8 1DY") == "city-and-hackney"
    assert area_for("SW1A 1AA") is None


def test_numbered_choices() -> None:
    assert parse_choices("1 4", 12) == [1, 4]
    assert parse_choices("4, 1 and 4", 12) == [1, 4]
    assert parse_choices("13", 12) is None
    assert parse_choices("none", 12) is None
    assert parse_choice("2", 2) == 2 and parse_choice("1 2", 2) is None


@pytest.mark.parametrize("name", ["Sam", "Mary-Jane O'Neil", "নাজমা", "عائشہ", "Łucja", "Ștefan"])
def test_names_in_any_script(name: str) -> None:
    assert clean_name(f"  {name} ") == name


@pytest.mark.parametrize("text", ["", "123", "my name is really Sam", "-", "Sam!!", "a" * 61])
def test_things_that_are_not_names(text: str) -> None:
    assert clean_name(text) is None
