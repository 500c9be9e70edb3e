"""Referral and language messages composed from parts: lists of choices, the summary.

Like api/explain.py, each part is a catalog message translated on its own. Dates are
written by Babel in the resident's language. Answers the resident typed (their words,
their name) are shown as typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from babel.dates import format_date

from actions.answers import SKIPPED, SUMMARY_ITEMS
from api.directory import default_area, load_directory
from api.languages import load_languages

Translate = Callable[[str], str]
Catalog = Mapping[str, str]

#: Keys with a %(choices)s list of needs.
NEED_CHOICE_KEYS = frozenset({"ask_ref_needs", "ref_retry_needs"})
#: Keys about a stored referral: params name its area, date and decline reason as ids.
REFERRAL_KEYS = frozenset(
    {
        "referral_sent",
        "referral_status_new",
        "referral_status_accepted",
        "referral_status_declined",
        "referral_status_closed",
        "referral_accepted",
        "referral_declined",
    }
)
KEYS = frozenset({*NEED_CHOICE_KEYS, *REFERRAL_KEYS, "referral_summary", "language_menu"})
#: How long one typed answer may be in the summary (the full text is kept).
SUMMARY_TEXT_LIMIT = 80


def _numbered(lines: list[str]) -> str:
    return "\n".join(f"{n} {line}" for n, line in enumerate(lines, start=1))


def compose(key: str, params: Mapping[str, Any], locale: str, tr: Translate, catalog: Catalog) -> str:
    if key in NEED_CHOICE_KEYS:
        choices = [tr(catalog[f"need_label_{need}"]) for need in params.get("choices") or []]
        return tr(catalog[key]) % {"choices": _numbered(choices)}
    if key in REFERRAL_KEYS:
        return tr(catalog[key]) % about_referral(params, locale, tr, catalog)
    if key == "language_menu":
        names = [language.name for language in load_languages().values()]
        return tr(catalog[key]) % {"choices": _numbered(names)}
    return summary(params.get("answers") or {}, locale, tr, catalog)


def about_referral(params: Mapping[str, Any], locale: str, tr: Translate, catalog: Catalog) -> dict[str, str]:
    areas = load_directory()
    area = areas.get(str(params.get("area", ""))) or default_area(areas)
    values = {"reference": str(params["reference"]), "wait": tr(area.referral_wait), "date": "", "reason": ""}
    if params.get("created"):
        values["date"] = format_day(date.fromisoformat(str(params["created"])), locale)
    if params.get("reason"):
        values["reason"] = tr(catalog[f"decline_{params['reason']}"])
    return values


def format_day(value: date, locale: str) -> str:
    return format_date(value, format="long", locale=locale)


def _given(value: Any, tr: Translate, catalog: Catalog) -> str:
    if value in (None, SKIPPED, ""):
        return tr(catalog["value_not_given"])
    text = str(value)
    return text if len(text) <= SUMMARY_TEXT_LIMIT else text[: SUMMARY_TEXT_LIMIT - 3].rstrip() + "..."


def _item(item: str, answers: Mapping[str, Any], locale: str, tr: Translate, catalog: Catalog) -> str:
    if item == "needs":
        return ", ".join(tr(catalog[f"need_label_{need}"]) for need in answers.get("needs") or [])
    if item == "for_whom":
        return tr(catalog["value_for_other" if answers.get("for_whom") == "other" else "value_for_me"])
    if item == "name":
        surname = answers.get("surname")
        names = [answers.get("first_name"), None if surname == SKIPPED else surname]
        return " ".join(str(n) for n in names if n)
    if item == "dob":
        try:
            return format_day(date.fromisoformat(str(answers.get("dob"))), locale)
        except ValueError:
            return _given(answers.get("dob"), tr, catalog)
    if item == "contact":
        parts = [tr(catalog[f"contact_{way}"]) for way in answers.get("contact_ways") or []]
        parts += [tr(catalog[f"time_{time}"]) for time in answers.get("contact_times") or []]
        if answers.get("private") == "yes":
            parts.append(tr(catalog["value_private"]))
        return ", ".join(parts)
    if item == "access":
        interpreter = "value_interpreter" if answers.get("interpreter") == "yes" else "value_no_interpreter"
        access = answers.get("access")
        return tr(catalog[interpreter]) + (
            "" if access in (None, SKIPPED) else f". {_given(access, tr, catalog)}"
        )
    return _given(answers.get(item), tr, catalog)


def summary(answers: Mapping[str, Any], locale: str, tr: Translate, catalog: Catalog) -> str:
    """The answers, numbered as the resident types them to change one."""
    lines = [
        f"{tr(catalog['summary_' + item])}: {_item(item, answers, locale, tr, catalog)}"
        for item, _slots in SUMMARY_ITEMS
    ]
    return "\n".join([tr(catalog["summary_header"]), _numbered(lines), tr(catalog["summary_footer"])])
