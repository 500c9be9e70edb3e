"""Reading the resident's answers to the referral questions: pure functions, no Rasa.

Digits arrive as ASCII: the gateway turns Bengali, Arabic-Indic and other digits into
0-9 before the bot sees a message. Dates may be written the local way in any supported
language ("7/3/1961", "7.03.1961", "7 marca 1961", "7 de março de 1961", "৭ মার্চ 1961");
month names come from Babel's CLDR data for every language in locales/languages.yml.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from babel import Locale
from babel.dates import get_month_names

ROOT = Path(__file__).resolve().parent.parent
LONDON = ZoneInfo("Europe/London")
#: Stored for an optional question the resident skipped (a filled slot must not be None).
SKIPPED = "-"
MIN_AGE = 16
MAX_AGE = 120

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_NAME_PUNCTUATION = frozenset(" '-.\u2019")


def today_in_london() -> date:
    return datetime.now(LONDON).date()


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --- Numbered choices -------------------------------------------------------------------


def parse_choices(text: str, count: int) -> list[int] | None:
    """The numbers in "1 4", "1,4", "1 and 4" (each 1..count), in order; None if any is off."""
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if not numbers or any(not 1 <= n <= count for n in numbers):
        return None
    return sorted(set(numbers))


def parse_choice(text: str, count: int) -> int | None:
    """Exactly one number from 1..count."""
    numbers = parse_choices(text, count)
    return numbers[0] if numbers is not None and len(numbers) == 1 else None


# --- Dates ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def month_names() -> dict[str, int]:
    """Folded month names and abbreviations, in every supported language -> month number."""
    raw = yaml.safe_load((ROOT / "locales" / "languages.yml").read_text(encoding="utf-8"))
    names: dict[str, int] = {}
    for locale_name in raw.values():
        locale = Locale.parse(str(locale_name))
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    names.setdefault(fold(name).rstrip("."), number)
    return names


def _year(value: int, today: date) -> int:
    if value >= 100:
        return value
    # Two digits: the most recent year that is not in the future ("61" -> 1961).
    century = today.year - today.year % 100
    return century + value if century + value <= today.year else century - 100 + value


def parse_date(text: str, today: date) -> date | None:
    """A date written day first (the UK and European way), or None if it is not a real date."""
    cleaned = fold(text).strip()
    numeric = re.fullmatch(r"(\d{1,2})\s*[./\-\s]\s*(\d{1,2})\s*[./\-\s]\s*(\d{2}|\d{4})\.?", cleaned)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", cleaned)
    try:
        if numeric:
            day, month, year = (int(g) for g in numeric.groups())
            return date(_year(year, today), month, day)
        if iso:
            year, month, day = (int(g) for g in iso.groups())
            return date(year, month, day)
        return _date_with_month_name(cleaned, today)
    except ValueError:
        return None


def _date_with_month_name(cleaned: str, today: date) -> date | None:
    tokens = [t for t in re.split(r"[\s,./\-]+", cleaned) if t]
    months = month_names()
    month = None
    numbers: list[int] = []
    for token in tokens:
        digits = re.fullmatch(r"(\d+)(?:st|nd|rd|th|er|eme|o|a|\u00ba)?", token)
        if digits:
            numbers.append(int(digits.group(1)))
        elif token in months and month is None:
            month = months[token]
        elif token.rstrip(".") in months and month is None:
            month = months[token.rstrip(".")]
    if month is None or len(numbers) != 2:
        return None
    # The year is the number above 31 ("March 7 1961"); if neither is, the day comes first.
    day, year = (numbers[1], numbers[0]) if numbers[0] > 31 >= numbers[1] else (numbers[0], numbers[1])
    return date(_year(year, today), month, day)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


# --- Postcodes and areas ---------------------------------------------------------------------


def normalize_postcode(text: str) -> str | None:
    """A UK postcode in its usual form ("e154ht" -> "E15 4HT"), or None."""
    compact = re.sub(r"[\s\-]", "", text.upper())
    match = _POSTCODE.fullmatch(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


@lru_cache(maxsize=1)
def area_districts() -> dict[str, list[str]]:
    """Area id -> the postcode districts it covers, from directory/<area>.yml."""
    areas: dict[str, list[str]] = {}
    for path in sorted((ROOT / "directory").glob("*.yml")):
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        areas[str(data["area"])] = [str(d).upper() for d in data.get("postcode_districts", [])]
    return areas


def area_for(postcode: str) -> str | None:
    district = postcode.split(" ")[0]
    for area, districts in area_districts().items():
        if district in districts:
            return area
    return None


# --- Names --------------------------------------------------------------------------------------


def clean_name(text: str) -> str | None:
    """A name of one to three words, letters of any script; None for anything else."""
    name = " ".join(text.split()).strip(" ,")
    if not name or len(name) > 60 or len(name.split()) > 3:
        return None
    # Letters and combining marks of any script (Bengali and Urdu names need the marks).
    if not all(unicodedata.category(c)[0] in "LM" or c in _NAME_PUNCTUATION for c in name):
        return None
    if not unicodedata.category(name[0]).startswith("L"):
        return None
    return name


# --- The form's shape, shared with the gateway's summary ------------------------------------

#: The needs as numbered in the question (ids of the domain's need_ intents and the directory).
NEEDS = (
    "money",
    "benefits_forms",
    "housing",
    "lonely",
    "bereavement",
    "carer",
    "long_term_condition",
    "mental_health",
    "food",
    "digital",
    "healthy_habits",
    "many_services",
)
CONTACT_WAYS = ("sms", "whatsapp", "call")
CONTACT_TIMES = ("morning", "afternoon", "evening", "any")
#: The summary's numbered items, in order, and the answers (slots) each one changes.
SUMMARY_ITEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("story", ("ref_story",)),
    ("needs", ("ref_needs",)),
    ("for_whom", ("ref_for_whom", "ref_agreement")),
    ("name", ("ref_first_name", "ref_surname")),
    ("dob", ("ref_dob",)),
    ("postcode", ("ref_postcode",)),
    ("gp", ("ref_gp",)),
    ("contact", ("ref_contact_ways", "ref_contact_times", "ref_private")),
    ("access", ("ref_interpreter", "ref_access")),
)
#: Every answer, in the order the questions are asked; ref_confirm (the summary) comes last.
QUESTIONS = (
    "ref_story",
    "ref_needs",
    "ref_for_whom",
    "ref_agreement",
    "ref_first_name",
    "ref_surname",
    "ref_dob",
    "ref_postcode",
    "ref_gp",
    "ref_contact_ways",
    "ref_contact_times",
    "ref_private",
    "ref_interpreter",
    "ref_access",
    "ref_consent",
    "ref_confirm",
)
OPTIONAL = frozenset({"ref_surname", "ref_gp", "ref_access"})
#: Questions worded differently when the resident asks for someone else.
ABOUT_THE_PERSON = frozenset(
    {"ref_first_name", "ref_surname", "ref_dob", "ref_postcode", "ref_gp", "ref_access"}
)
