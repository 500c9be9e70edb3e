"""Rendering catalog messages with Babel, in the conversation's language."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

from api import explain, handoff_text, referral_text
from api.directory import default_area, load_directory
from api.languages import load_languages
from api.messages import MESSAGES, UNKNOWN_KEY_FALLBACK
from api.reminders import text as reminder_text

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


def locale_of(language: str) -> str:
    """The Babel locale for a language code (locales/languages.yml); the default's if unknown."""
    languages = load_languages()
    chosen = languages.get(language) or next(iter(languages.values()))
    return chosen.locale


@lru_cache(maxsize=32)
def translations(language: str) -> NullTranslations:
    return Translations.load(str(LOCALES_DIR), [locale_of(language)], domain=DOMAIN)


def render(key: str, language: str, params: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """Return (key actually used, text) for a catalog key in a language.

    An unknown key is logged (the key only) and replaced by the fallback message, so the
    resident still gets a kind answer with a way to reach a person.
    """
    gettext = translations(language).gettext
    if key in explain.KEYS:
        areas = load_directory()
        area = areas.get(str((params or {}).get("area", ""))) or default_area(areas)
        try:
            return key, explain.compose(key, params or {}, area, gettext, MESSAGES)
        except explain.UnknownReference as exc:
            log.warning("%s", exc)
            # A role this area does not have gets a kind way on; anything else the fallback.
            key = "role_not_here" if exc.kind == "role" else UNKNOWN_KEY_FALLBACK
            params = {"area": area.name}
    if key == "language_offer" and params and params.get("languages"):
        # Each offered language says it in its own words (Latin letters for Bengali and Urdu).
        codes = [c for c in params["languages"] if c in load_languages()]
        if codes:
            return key, "\n".join(translations(c).gettext(MESSAGES[key]) for c in codes)
    composer = next((c for c in (referral_text, handoff_text, reminder_text) if key in c.KEYS), None)
    if composer is not None:
        try:
            text = composer.compose(key, params or {}, locale_of(language), gettext, MESSAGES)
        except (KeyError, TypeError, ValueError) as exc:
            log.error("could not compose %r: %s", key, type(exc).__name__)
            key, text = UNKNOWN_KEY_FALLBACK, gettext(MESSAGES[UNKNOWN_KEY_FALLBACK])
        return key, _with_person_offer(text, params, gettext)
    if key not in MESSAGES:
        log.error("unknown catalog key %r; sending the fallback message", key)
        key = UNKNOWN_KEY_FALLBACK
    text = gettext(MESSAGES[key])
    if params:
        try:
            text = text % dict(params)
        except (KeyError, TypeError, ValueError):
            log.error("catalog message %r did not take its parameters", key)
    return key, _with_person_offer(text, params, gettext)


def _with_person_offer(text: str, params: Mapping[str, Any] | None, gettext: Any) -> str:
    """After failed tries, a re-ask ends with the offer of a person (answers are kept)."""
    if params and params.get("offer_person"):
        return f"{text}\n{gettext(MESSAGES['ref_offer_person'])}"
    return text
