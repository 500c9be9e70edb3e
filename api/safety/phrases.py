"""Curated crisis phrases (safety/<language>.yml) and how a message is matched against them.

A message is normalised (lower case; accents dropped from Latin letters only, since Bengali
and Urdu vowel signs are part of the word; joiners removed; digits as ASCII; letters typed
three or more times in a row counted once: "diiie" -> "die"; Arabic-keyboard letters as
their Urdu forms), then split into words.

A phrase is a few words. A word ending in `*` matches any word starting with it (Polish,
Romanian and Portuguese inflect: "zabi*" matches "zabic", "zabije"). Between two words of a
phrase up to MAX_GAP other words may stand ("i really want to die" matches "want to die"),
so lists stay short and general. Every list is checked whatever the resident's language:
people mix languages, and a crisis must not depend on language detection.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from api.languages import load_languages, normalize_digits, words

SAFETY_DIR = Path(__file__).resolve().parent.parent.parent / "safety"
CATEGORIES = ("suicide_self_harm", "immediate_danger", "domestic_abuse", "child_at_risk", "medical_emergency")
MAX_GAP = 2
_JOINERS: dict[int, str | None] = dict.fromkeys(map(ord, "\u200c\u200d\u200e\u200f\u00ad"), None)
#: Urdu typed on an Arabic keyboard: Arabic yeh, alef maksura, kaf and heh as the Urdu letters.
_JOINERS.update({0x064A: "\u06cc", 0x0649: "\u06cc", 0x0643: "\u06a9", 0x0647: "\u06c1"})


def normalize(text: str) -> list[str]:
    text = normalize_digits(text).translate(_JOINERS).casefold()
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char) and out and out[-1].isascii():
            continue  # an accent on a Latin letter
        out.append(char)
    # Polish ł is a letter of its own, not l with an accent; people type l for it.
    plain = unicodedata.normalize("NFC", "".join(out)).replace("\u0142", "l")
    plain = re.sub(r"(\w)\1{2,}", r"\1", plain)
    return words(plain)


@dataclass(frozen=True)
class Phrase:
    category: str
    language: str
    words: tuple[str, ...]

    @cached_property
    def exact_words(self) -> frozenset[str]:
        """The words that must appear as they are (a cheap test before the full match)."""
        return frozenset(w for w in self.words if not w.endswith("*"))

    def _word_matches(self, pattern: str, word: str) -> bool:
        return word.startswith(pattern[:-1]) if pattern.endswith("*") else word == pattern

    def found_in(self, words: list[str]) -> bool:
        return next(self.spans(words), None) is not None

    def spans(self, words: list[str]) -> Iterator[tuple[int, int]]:
        """Where the phrase stands in the words: (first word, one past the last), each start."""
        first, rest = self.words[0], self.words[1:]
        for start, word in enumerate(words):
            if self._word_matches(first, word):
                end = self._end_of(rest, words, start + 1)
                if end is not None:
                    yield start, end

    def _end_of(self, rest: tuple[str, ...], words: list[str], position: int) -> int | None:
        if not rest:
            return position
        for offset in range(MAX_GAP + 1):
            index = position + offset
            if index < len(words) and self._word_matches(rest[0], words[index]):
                end = self._end_of(rest[1:], words, index + 1)
                if end is not None:
                    return end
        return None


@dataclass(frozen=True)
class Negation:
    """Words that say the opposite of a phrase when they stand right next to it
    (safety/negation.yml): "not" just before "suicidal", Bengali "না" and Urdu "نہیں" just
    after the verb. Only right next to it: "I can't go on, I'll kill myself" stays a crisis.
    A negated phrase is not a flag; the semantic net still reads the message's meaning."""

    before: dict[str, tuple[tuple[str, ...], ...]]
    after: dict[str, tuple[tuple[str, ...], ...]]
    AFTER_GAP = 1

    def negates(self, phrase: Phrase, words: list[str], start: int, end: int) -> bool:
        for cue in (*self.before.get(phrase.language, ()), *self.before.get("all", ())):
            if start >= len(cue) and tuple(words[start - len(cue) : start]) == cue:
                return True
        for cue in self.after.get(phrase.language, ()):
            for gap in range(self.AFTER_GAP + 1):
                if tuple(words[end + gap : end + gap + len(cue)]) == cue:
                    return True
        return False


@lru_cache(maxsize=4)
def load_negation(folder: Path = SAFETY_DIR) -> Negation:
    path = folder / "negation.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    sides: dict[str, dict[str, tuple[tuple[str, ...], ...]]] = {}
    for side in ("before", "after"):
        sides[side] = {
            language: tuple(tuple(normalize(str(cue))) for cue in cues if normalize(str(cue)))
            for language, cues in ((data or {}).get(side) or {}).items()
        }
    return Negation(sides["before"], sides["after"])


def _pattern_words(phrase: str) -> tuple[str, ...]:
    words = []
    for raw in phrase.split():
        star = raw.endswith("*")
        normal = normalize(raw.rstrip("*"))
        if not normal:
            continue
        words.extend(normal[:-1])
        words.append(normal[-1] + ("*" if star else ""))
    return tuple(words)


@lru_cache(maxsize=4)
def load_phrases(folder: Path = SAFETY_DIR) -> tuple[Phrase, ...]:
    phrases = []
    for code in load_languages():
        data = yaml.safe_load((folder / f"{code}.yml").read_text(encoding="utf-8")) or {}
        unknown = set(data) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"safety/{code}.yml: unknown categories {sorted(unknown)}")
        for category in CATEGORIES:
            for phrase in data.get(category) or []:
                words = _pattern_words(str(phrase))
                if not words:
                    raise ValueError(f"safety/{code}.yml: empty phrase in {category}")
                phrases.append(Phrase(category, code, words))
    return tuple(phrases)


class _Index:
    """Phrases by one word each must contain, so a message is checked only against the
    phrases it could match (a few dozen of some 3,400), not all of them.

    A phrase is filed under one of its exact words, or, if all its words are stems ("zabi*"),
    under the first letters (up to STEM_KEY) of its first stem: a word matches a stem only if
    it starts with it."""

    STEM_KEY = 3

    def __init__(self, phrases: tuple[Phrase, ...]) -> None:
        self.phrases = phrases
        self.by_word: dict[str, list[tuple[int, Phrase]]] = {}
        self.by_start: dict[str, list[tuple[int, Phrase]]] = {}
        for position, phrase in enumerate(phrases):
            if phrase.exact_words:
                self.by_word.setdefault(min(phrase.exact_words), []).append((position, phrase))
            else:
                key = phrase.words[0][:-1][: self.STEM_KEY]
                self.by_start.setdefault(key, []).append((position, phrase))

    def candidates(self, present: set[str]) -> list[Phrase]:
        found: dict[int, Phrase] = {}
        for word in present:
            found.update(self.by_word.get(word, ()))
            for length in range(self.STEM_KEY + 1):
                found.update(self.by_start.get(word[:length], ()))
        return [found[position] for position in sorted(found)]


_INDEXES: dict[int, _Index] = {}


def _index_of(phrases: tuple[Phrase, ...]) -> _Index:
    index = _INDEXES.get(id(phrases))
    if index is None or index.phrases is not phrases:
        index = _INDEXES[id(phrases)] = _Index(phrases)
    return index


def screen(text: str, phrases: tuple[Phrase, ...] | None = None) -> list[Phrase]:
    """The phrases a message contains (none for an ordinary message), in list order."""
    words = normalize(text)
    present = set(words)
    candidates = _index_of(phrases if phrases is not None else load_phrases()).candidates(present)
    negation = load_negation() if phrases is None else Negation({}, {})
    return [
        p
        for p in candidates
        if p.exact_words <= present and any(not negation.negates(p, words, *span) for span in p.spans(words))
    ]
