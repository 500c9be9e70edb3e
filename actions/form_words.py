"""Reading the resident's own words inside the referral form: pure functions, no Rasa.

The words are data (actions/form_words.yml, every language); this module folds a message
the same way as the words and finds them in it, with small typos allowed. It answers four
things: which options of a question a message names ("for me", "by phone", "mornings
best"), whether it says yes or no ("yes send it"), whether it is a question about the form
("why do you need this?"), and whether it asks to carry on with the form.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

WORDS_FILE = Path(__file__).with_name("form_words.yml")
#: The value that stands for every option of a question ("all of them").
ALL = "*all"
#: A question about the form is at most this many words long (a longer message is an answer).
QUESTION_MAX_WORDS = 12
#: Only this many words of a message are read (an answer to a form question is short; a
#: story of 1,000 characters would cost a tenth of a second for nothing).
MAX_WORDS = 60
#: Words between a negation and the option it turns off ("not in the morning").
NEGATION_REACH = 3
BOUNDARY = "|"

# Arabic letters typed on an Arabic keyboard, as Urdu writes them; joiners and tatweel dropped.
_URDU = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9", "\u0647": "\u06c1"})
_DROP = dict.fromkeys(map(ord, "\u200c\u200d\u0640\u2019'`\u00b4"), None)
_ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670]")


def _latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


def fold(text: str) -> list[str]:
    """The message as folded words, with a boundary mark for , . ; ! ? and line breaks."""
    text = "".join(str(unicodedata.decimal(c)) if unicodedata.category(c) == "Nd" else c for c in text)
    text = unicodedata.normalize("NFKC", text).translate(_DROP).translate(_URDU).casefold()
    text = _ARABIC_MARKS.sub("", text)
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char) and out and _latin(out[-1]):
            continue  # an accent on a Latin letter
        out.append(char)
    plain = unicodedata.normalize("NFC", "".join(out)).replace("\u0142", "l")
    plain = re.sub(r"([^\W\d_])\1+", r"\1", plain)  # "yesss" -> "yes", "call" -> "cal"
    plain = re.sub(r"(\d)(?=[^\W\d_])|([^\W\d_])(?=\d)", r"\1\2 ", plain)  # "5pm" -> "5 pm"
    plain = re.sub(r"[,.;!?\n\u061f\u06d4\u0964]+", f" {BOUNDARY} ", plain)
    return [w for w in re.split(r"[^\w|]+", plain) if w][:MAX_WORDS]


def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance (a swap of two letters counts once), or limit + 1 if more."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
        if min(row) > limit:
            return limit + 1
    return row[-1]


@lru_cache(maxsize=65536)
def same_word(word: str, pattern: str) -> bool:
    """The same word, or one typo in five letters or more (two in nine or more)."""
    if word == pattern:
        return True
    if word.isdigit() or pattern.isdigit() or len(pattern) < 5:
        return False
    limit = 2 if len(pattern) >= 9 else 1
    if limit == 1 and word[0] != pattern[0]:
        return False
    return _distance(word, pattern, limit) <= limit


@dataclass(frozen=True)
class Phrase:
    value: str
    words: tuple[str, ...]
    whole: bool  # only as the whole message


@dataclass(frozen=True)
class Match:
    value: str
    start: int
    end: int
    negated: bool = False


def _phrases(by_value: dict[str, dict[str, list[Any]]]) -> tuple[Phrase, ...]:
    found: set[Phrase] = set()
    for value, languages in by_value.items():
        for phrases in languages.values():
            for phrase in phrases:
                text = str(phrase)
                words = tuple(w for w in fold(text.removeprefix("=")) if w != BOUNDARY)
                if words:
                    found.add(Phrase(str(value), words, text.startswith("=")))
    # Longer phrases first, so "no problem" wins over "no", "not by phone" over "phone".
    return tuple(sorted(found, key=lambda p: (-len(p.words), p.value, p.words)))


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    # Every value a string: YAML 1.1 would read the words yes, no and on as booleans.
    # BaseLoader builds only strings, lists and dicts (no objects).
    text = WORDS_FILE.read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506
    return data


@cache
def phrases_for(section: str, question: str = "") -> tuple[Phrase, ...]:
    raw = _data()[section]
    if section == "resume":
        raw = {"resume": raw}
    return _phrases(raw[question] if question else raw)


@lru_cache(maxsize=1)
def _negations() -> tuple[frozenset[str], frozenset[str]]:
    data = _data()

    def words(key: str) -> frozenset[str]:
        return frozenset(w for ws in data[key].values() for p in ws for w in fold(str(p)))

    return words("negation_before"), words("negation_after")


class _Positions:
    """Where each phrase word occurs in one message (fuzzy), each looked up once."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.memo: dict[str, frozenset[int]] = {}

    def __call__(self, pattern: str) -> frozenset[int]:
        found = self.memo.get(pattern)
        if found is None:
            # Only words that could be within a typo or two are compared letter by letter.
            found = frozenset(
                i
                for i, w in enumerate(self.words)
                if w == pattern or (abs(len(w) - len(pattern)) <= 2 and same_word(w, pattern))
            )
            self.memo[pattern] = found
        return found


def find(words: list[str], phrases: tuple[Phrase, ...]) -> list[Match]:
    """Every phrase found in the words, longest first, no word used twice; in message order."""
    taken = [w == BOUNDARY for w in words]
    real = [w for w in words if w != BOUNDARY]
    at = _Positions(words)
    matches: list[Match] = []
    for phrase in phrases:
        n = len(phrase.words)
        if phrase.whole:
            if len(real) == n and all(map(same_word, real, phrase.words)):
                return [Match(phrase.value, 0, len(words))]
            continue
        for start in sorted(at(phrase.words[0])):
            span = range(start, start + n)
            if start + n > len(words) or any(taken[i] for i in span):
                continue
            if all(i in at(p) for i, p in zip(span, phrase.words, strict=True)):
                matches.append(Match(phrase.value, start, start + n))
                for i in span:
                    taken[i] = True
    return _negate(words, sorted(matches, key=lambda m: m.start))


def _negate(words: list[str], matches: list[Match]) -> list[Match]:
    before, after = _negations()
    out: list[Match] = []
    for index, match in enumerate(matches):
        floor = matches[index - 1].end if index else 0
        window = words[max(floor, match.start - NEGATION_REACH) : match.start]
        if BOUNDARY in window:
            window = window[len(window) - window[::-1].index(BOUNDARY) :]
        following = words[match.end] if match.end < len(words) else ""
        negated = any(w in before for w in window) or following in after
        out.append(Match(match.value, match.start, match.end, negated))
    return out


def _leftover(words: list[str], matches: list[Match]) -> list[str]:
    used = {i for m in matches for i in range(m.start, m.end)}
    return [w for i, w in enumerate(words) if i not in used and w != BOUNDARY]


# --- What the form asks -------------------------------------------------------------------


def choices(text: str, question: str, options: tuple[str, ...]) -> list[str] | None:
    """The options a message names, by words or by their numbers ("1 and whatsapp").

    None when it names none, or a number that is not on the list. Words said with "not"
    ("not by phone") do not count; "all of them" names every option.
    """
    words = fold(text)
    matches = [m for m in find(words, phrases_for("choices", question)) if not m.negated]
    chosen: set[str] = set()
    for match in matches:
        chosen.update(options if match.value == ALL else {match.value})
    numbers = [int(w) for w in _leftover(words, matches) if w.isdigit()]
    if any(not 1 <= n <= len(options) for n in numbers):
        return None
    chosen.update(options[n - 1] for n in numbers)
    return [o for o in options if o in chosen] or None


def choice(text: str, question: str, options: tuple[str, ...]) -> str | None:
    """Exactly one option."""
    chosen = choices(text, question, options)
    return chosen[0] if chosen is not None and len(chosen) == 1 else None


def yes_or_no(text: str) -> bool | None:
    """True for a yes ("yes send it", "ok go ahead"), False for a no, None if unclear.

    A yes with "not" before it is unclear, not a no ("not sure"); yes and no together are
    unclear too ("no, yes"), so the model's reading decides.
    """
    matches = find(fold(text), phrases_for("answers"))
    said = {m.value for m in matches if not (m.negated and m.value == "yes")}
    if len(said) != 1 or any(m.negated and m.value == "yes" for m in matches):
        return None
    return said == {"yes"}


def question(text: str) -> str | None:
    """ "why", "who_sees", "free" or "role:<id>" when the message asks about the form."""
    words = fold(text)
    if len([w for w in words if w != BOUNDARY]) > QUESTION_MAX_WORDS:
        return None
    matches = find(words, phrases_for("questions"))
    kinds = {m.value for m in matches if not m.negated}
    return next(iter(kinds)) if len(kinds) == 1 else None


def wants_to_carry_on(text: str) -> bool:
    """ "carry on", "let's finish the form", "continuă", "জারি রাখুন" ... as (almost) all the message."""
    words = [w for w in fold(text) if w != BOUNDARY]
    if len(words) > QUESTION_MAX_WORDS:
        return False
    matches = [m for m in find(words, phrases_for("resume")) if not m.negated]
    return bool(matches) and len(_leftover(words, matches)) <= 2
