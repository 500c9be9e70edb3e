"""What tells a message's language when a statistical detector cannot: pure functions over data.

The data is `locales/language_cues.yml` (what each key means is written there): the script a
language owns, its greetings and common first words, its words typed in Latin letters, and the
English words residents of every language use here, which are evidence of no language.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from api.languages import words

CUES_FILE = Path(__file__).resolve().parents[2] / "locales" / "language_cues.yml"
#: Romanised Bengali or Urdu needs this many different words of its list...
ROMANISED_MIN_WORDS = 2
#: ... making up at least this share of the message's words (after the neutral ones are out).
ROMANISED_MIN_SHARE = 1 / 3
#: A script decides when at least this share of the message's words are written in it.
SCRIPT_MIN_SHARE = 1 / 3
#: Letters NFKD does not take apart.
_BARE = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss"})

Phrase = tuple[str, ...]


@lru_cache(maxsize=8192)
def fold(word: str) -> str:
    """One word as cues are matched: lower case, no accents ("Cześć" -> "czesc")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().translate(_BARE))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def phrase(text: str) -> Phrase:
    return tuple(fold(w) for w in words(text))


def _phrases(entries: Iterable[object]) -> frozenset[Phrase]:
    return frozenset(p for p in (phrase(str(e)) for e in entries) if p)


@dataclass(frozen=True)
class LanguageCues:
    code: str
    script: str | None = None
    own_letters: frozenset[str] = frozenset()
    foreign_letters: frozenset[str] = frozenset()
    first_words: frozenset[Phrase] = frozenset()
    romanised: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Cues:
    languages: dict[str, LanguageCues]
    neutral: frozenset[Phrase]
    salam: frozenset[Phrase]
    salam_offers: tuple[str, ...]


@lru_cache(maxsize=8)
def load_cues(codes: tuple[str, ...], path: Path = CUES_FILE) -> Cues:
    """The cues of the configured languages (any language may have none)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    neutral = raw.get("neutral") or {}
    languages = {}
    for code in codes:
        entry = raw.get(code) or {}
        languages[code] = LanguageCues(
            code=code,
            script=entry.get("script"),
            own_letters=frozenset(entry.get("own_letters", "")),
            foreign_letters=frozenset(entry.get("foreign_letters", "")),
            first_words=_phrases(entry.get("first_words", ())),
            romanised=frozenset(fold(str(w)) for w in entry.get("romanised", ())),
            names=frozenset(fold(str(w)) for w in entry.get("names", ())),
        )
    return Cues(
        languages=languages,
        neutral=_phrases(neutral.get("loan_words", ())),
        salam=_phrases(neutral.get("salam", ())),
        salam_offers=tuple(c for c in neutral.get("salam_offers", ()) if c in languages),
    )


def _script(word: str) -> str:
    """The script of a word's first letter ("LATIN", "BENGALI", "ARABIC"), or ""."""
    letter = next((c for c in word if c.isalpha()), "")
    return unicodedata.name(letter, "").split(" ")[0] if letter else ""


@dataclass(frozen=True)
class ScriptVerdict:
    #: The language the script decides, if one.
    language: str | None
    #: The script of a configured language, in letters that language does not use (Arabic for
    #: Urdu): not that language, but the resident may read it; offered, never switched to.
    near: str | None = None


def by_script(message_words: Sequence[str], cues: Cues) -> ScriptVerdict | None:
    """None if the message is in Latin letters (or has no letters); else what its script says."""
    scripts = [s for s in (_script(w) for w in message_words) if s]
    others = [s for s in scripts if s != "LATIN"]
    if not others or len(others) < SCRIPT_MIN_SHARE * len(scripts):
        return None
    main = max(set(others), key=others.count)
    owner = next((c for c in cues.languages.values() if c.script == main), None)
    if owner is None:
        return ScriptVerdict(None)
    letters = set("".join(message_words))
    if owner.foreign_letters & letters and not owner.own_letters & letters:
        return ScriptVerdict(None, near=owner.code)
    return ScriptVerdict(owner.code)


@lru_cache(maxsize=32)
def _longest(phrases: frozenset[Phrase]) -> int:
    return max((len(p) for p in phrases), default=0)


def strip(message_words: Sequence[str], remove: frozenset[Phrase]) -> tuple[list[str], int]:
    """The words left once every phrase in `remove` is taken out (longest first), and how many
    phrases were taken out."""
    folded = [fold(w) for w in message_words]
    longest = _longest(remove)
    kept: list[str] = []
    removed = i = 0
    while i < len(folded):
        size = next((n for n in range(longest, 0, -1) if tuple(folded[i : i + n]) in remove), 0)
        if size:
            removed += 1
            i += size
        else:
            kept.append(message_words[i])
            i += 1
    return kept, removed


def romanised(message_words: Sequence[str], cues: Cues) -> str | None:
    """The language a message is typed in Latin letters, if clearly one with a romanised list."""
    folded = [fold(w) for w in message_words]
    if not folded:
        return None
    found = {c.code: {w for w in folded if w in c.romanised} for c in cues.languages.values() if c.romanised}
    ranked = sorted(found.items(), key=lambda item: len(item[1]), reverse=True)
    if not ranked:
        return None
    code, hits = ranked[0]
    if len(hits) < ROMANISED_MIN_WORDS or (len(ranked) > 1 and len(ranked[1][1]) >= len(hits)):
        return None
    share = sum(w in hits for w in folded) / len(folded)
    return code if share >= ROMANISED_MIN_SHARE else None


def first_word_counts(message_words: Sequence[str], cues: Cues) -> dict[str, int]:
    """How many greetings and common first words of each language the message has."""
    counts = {}
    for language in cues.languages.values():
        if language.first_words:
            _, found = strip(message_words, language.first_words)
            if found:
                counts[language.code] = found
    return counts


def by_first_words(message_words: Sequence[str], cues: Cues) -> str | None:
    """The one language with the most greetings and first words in the message, if one."""
    counts = first_word_counts(message_words, cues)
    ranked = sorted(counts.values(), reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0] == ranked[1]):
        return None
    return max(counts, key=lambda code: counts[code])


def named(text: str, cues: Cues) -> str | None:
    """The language a whole message names by one of its other names ("bengali", "po polsku")."""
    said = " ".join(phrase(text))
    return next((c.code for c in cues.languages.values() if said and said in c.names), None)
