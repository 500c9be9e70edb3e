"""The languages residents can use, and how the assistant knows which one to write in.

The list is configuration (`locales/languages.yml`, one line per language); everything
else about a language comes from Babel's CLDR data (its own name, text direction) and
from lingua's bundled models and locales/language_cues.yml (identification, in
api/understanding/). Adding a language needs no code here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from babel import Locale

LANGUAGES_FILE = Path(__file__).resolve().parent.parent / "locales" / "languages.yml"

#: Words that open the language menu in any language (the issue's "language" and "LANG").
MENU_WORDS = frozenset({"lang", "language", "languages"})
#: The detector (lingua) only runs on messages of at least this many words: "tak", "da" or
#: "1" must never flip the language (api/understanding/language.py).
MIN_WORDS = 3
#: The detector's confidence needed to switch language. Chosen on the held-out NLU messages
#: (`make bench`, docs/languages.md): a wrong switch is worse than none.
MIN_CONFIDENCE = 0.8


@dataclass(frozen=True)
class Language:
    code: str
    locale: str
    #: The language's own name in its own script, capitalised ("Polski", "বাংলা").
    name: str
    english_name: str
    rtl: bool


def _fold(text: str) -> str:
    """Lower case, no diacritics, no surrounding punctuation: "Română!" -> "romana"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"^[\W_]+|[\W_]+$", "", bare)


@lru_cache(maxsize=4)
def load_languages(path: Path = LANGUAGES_FILE) -> dict[str, Language]:
    """Code -> Language, in the file's order (the first is the default)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"{path}: expected lines of `code: locale`")
    languages: dict[str, Language] = {}
    for code, locale_name in raw.items():
        locale = Locale.parse(str(locale_name))
        if locale.language != code:
            raise ValueError(f"{path}: locale {locale_name} is not for language {code}")
        own = Locale.parse(code)
        name = own.get_language_name(code) or code
        languages[code] = Language(
            code=code,
            locale=str(locale_name),
            name=name[:1].upper() + name[1:],
            english_name=own.get_language_name("en") or code,
            rtl=locale.character_order == "right-to-left",
        )
    return languages


def normalize_digits(text: str) -> str:
    """Any decimal digit (Bengali ১, Arabic-Indic ٣, Urdu ۴, ...) as its ASCII digit."""
    return "".join(
        str(unicodedata.decimal(c)) if not c.isascii() and unicodedata.category(c) == "Nd" else c
        for c in text
    )


def is_menu_word(text: str) -> bool:
    return _fold(text) in MENU_WORDS


def named_language(text: str, languages: dict[str, Language]) -> str | None:
    """The code of the language a message names on its own ("polski", "বাংলা", "Urdu")."""
    folded = _fold(text)
    if not folded:
        return None
    for language in languages.values():
        names = {language.code, language.name, language.english_name}
        if folded in {_fold(name) for name in names if len(name) > 2}:
            return language.code
    return None


def menu_choice(text: str, languages: dict[str, Language]) -> str | None:
    """The answer to the numbered language menu: a number (1 = first language) or a name."""
    folded = _fold(normalize_digits(text))
    if folded.isdigit():
        index = int(folded) - 1
        codes = list(languages)
        return codes[index] if 0 <= index < len(codes) else None
    return named_language(text, languages)


def words(text: str) -> list[str]:
    """The words of a text in any script: runs of letters, marks and digits.

    (Python's \\w leaves out combining marks, which would cut Bengali and Urdu words apart.)
    """
    found: list[str] = []
    current: list[str] = []
    for char in text:
        if unicodedata.category(char)[0] in "LMN":
            current.append(char)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return found


def word_count(text: str) -> int:
    return len(words(text))
