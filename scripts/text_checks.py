"""Plain-language measures for resident-facing text (tests and `make text-report`).

textstat 0.7.8 is pinned: it measures English offline (0.7.13 downloads a dictionary).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from actions.answers import NEEDS
from api import explain
from api.directory import Area, load_directory
from api.i18n import render
from api.messages import MESSAGES
from api.sms import encoding, segments

JARGON = re.compile(
    r"\b(signpost\w*|holistic|mdt|pcn|vcse|multidisciplinary|cohort|interventions?|caseloads?|pathways?"
    r"|non-clinical|social prescribing|primary care|service users?)\b",
    re.IGNORECASE,
)
#: Sentence ends, including Bengali's daari and Urdu's full stop; a line break ends one too.
SENTENCE_END = re.compile(r"(?<=[.?!:\u0964\u06d4\u061f])\s+|\n+")
MAX_GRADE = 6.0
MAX_SENTENCE_WORDS = 20
MAX_SEGMENTS = 2
#: Other languages are sent in UCS-2 (67 characters a segment): up to 6 segments, about the
#: length of the longest English message plus a third. Their sentences are reported, not
#: held to the English word count (Urdu and Bengali take more words for the same sentence).
MAX_SEGMENTS_UCS2 = 6


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text.strip()) if s]


def longest_sentence(text: str) -> int:
    return max((len(s.split()) for s in sentences(text)), default=0)


def grade(text: str) -> float:
    import textstat  # a development tool, imported only when measuring

    return float(textstat.flesch_kincaid_grade(text))


@dataclass(frozen=True)
class Text:
    ref: str  # where it comes from, e.g. "greet" or "newham/role_about/link_worker"
    language: str
    body: str
    #: English role explanations and need answers are held to the reading-grade bar.
    graded: bool

    def problems(self) -> list[str]:
        found = []
        # The language menu names each language in its own script, on purpose.
        if encoding(self.body) != "GSM-7" and self.language == "en" and self.ref != "language_menu":
            found.append("not GSM-7")
        limit = MAX_SEGMENTS if self.language == "en" else MAX_SEGMENTS_UCS2
        if segments(self.body) > limit:
            found.append(f"{segments(self.body)} segments")
        if longest_sentence(self.body) > MAX_SENTENCE_WORDS and self.language == "en":
            found.append(f"a sentence of {longest_sentence(self.body)} words")
        if match := JARGON.search(self.body):
            found.append(f"jargon {match.group(0)!r}")
        if "\u2019" in self.body or "\u201c" in self.body or "\u201d" in self.body:
            found.append("curly quotes")
        if self.graded and self.language == "en" and grade(self.body) > MAX_GRADE:
            found.append(f"reading grade {grade(self.body):.1f}")
        return found


def directory_texts(area: Area, language: str = "en") -> Iterator[Text]:
    """Every composed directory message of an area, as residents receive it."""
    params_for: list[tuple[str, dict[str, str]]] = [
        (key, {"role": role}) for role in area.roles for key in explain.ROLE_PARTS
    ]
    params_for += [("role_offer", {"role": role}) for role in area.roles]
    params_for += [("need_answer", {"need": need}) for need in area.needs]
    params_for += [
        ("role_compare", {"role": a, "other": b}) for a in area.roles for b in area.roles if a != b
    ]
    params_for += [("need_also", {"need": a, "first": b}) for a in area.needs for b in area.needs if a != b]
    for key, params in params_for:
        used, body = render(key, language, {**params, "area": area.area})
        assert used == key, f"{key} {params} did not render in {area.area}"
        yield Text(f"{area.area}/{key}/{'+'.join(params.values())}", language, body, graded=True)


#: Example parameters for the messages that take some, as the worker fills them in.
SAMPLE_PARAMS: dict[str, Any] = {
    "reference": "7KQ-M4P",
    "area": "newham",
    "created": "2026-11-22",
    "reason": "other_service",
    "postcode": "SW1A 1AA",
    "choices": list(NEEDS),
    "title": "link worker",
    "summary": "A link worker gives you time to talk.",
    "wait_minutes": 120,
    "opens_at": "2026-11-23T09:00:00+00:00",
    "name": "Sam",
    "place": "Green Street Surgery",
    "who": "Sam",
    "appointment": {
        "starts_at": "2026-12-07T10:30:00+00:00",
        "kind": "gp",
        "place": "Green Street Surgery",
        "with_whom": "Sam",
    },
}


def all_texts(language: str = "en") -> Iterator[Text]:
    for key in sorted(MESSAGES):
        used, body = render(key, language, SAMPLE_PARAMS)
        assert used == key, f"{key} did not render with the sample parameters"
        yield Text(key, language, body, graded=False)
    for area in load_directory().values():
        yield from directory_texts(area, language)
