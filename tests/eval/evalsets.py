"""The independent evaluation sets (tests/eval/<language>.yml) and how they are scored.

Written by other hands, without seeing the training data, the phrase lists or the project's
own test sets; never trained on (test_overlap.py proves no message or near-copy is in the
training data). Figures per language: intent accuracy, crises caught per kind, false alarms.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


@dataclass(frozen=True)
class Case:
    language: str
    text: str
    intent: str | None
    crisis: str | None
    tags: tuple[str, ...]

    @property
    def romanised(self) -> bool:
        return "romanised" in self.tags


def load_cases(folder: Path = HERE) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data["messages"]:
            cases.append(
                Case(
                    data["language"],
                    str(item["text"]),
                    item.get("intent"),
                    item.get("crisis"),
                    tuple(item.get("tags") or ()),
                )
            )
    return cases


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.rate:.1%} ({self.right}/{self.total})"


@dataclass
class Report:
    intents: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    languages: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    crises: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    alarms: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    missed: list[Case] = field(default_factory=list)
    false_alarms: list[tuple[Case, list[str]]] = field(default_factory=list)
    confusions: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def add(self, case: Case, intent: str | None, flagged: list[str], language: str | None) -> None:
        if case.crisis is not None:
            self.crises[(case.language, case.crisis)].add(bool(flagged))
            if not flagged:
                self.missed.append(case)
            return
        self.alarms[case.language].add(not flagged)
        if flagged:
            self.false_alarms.append((case, flagged))
        self.intents[case.language].add(intent == case.intent)
        if intent != case.intent:
            self.confusions[(case.language, str(case.intent), str(intent))] += 1
        if language is not None or "short" not in case.tags:
            self.languages[case.language].add(language == case.language)

    def crisis_recall(self, language: str) -> Tally:
        total = Tally()
        for (lang, _), tally in self.crises.items():
            if lang == language:
                total.right += tally.right
                total.total += tally.total
        return total

    def false_alarm_rate(self, language: str | None = None) -> float:
        tallies = [t for lang, t in self.alarms.items() if language in (None, lang)]
        total = sum(t.total for t in tallies)
        return sum(t.total - t.right for t in tallies) / total if total else 0.0

    def markdown(self, languages: Iterable[str]) -> str:
        langs = sorted(languages)
        lines = [
            "| language | intent accuracy | reply language | crises caught | false alarms |",
            "|---|---|---|---|---|",
        ]
        for lang in langs:
            alarms = self.alarms[lang]
            lines.append(
                f"| {lang} | {self.intents[lang]} | {self.languages[lang]} | {self.crisis_recall(lang)} "
                f"| {self.false_alarm_rate(lang):.1%} ({alarms.total - alarms.right}/{alarms.total}) |"
            )
        kinds = sorted({kind for _, kind in self.crises})
        lines += ["", "| crises caught | " + " | ".join(kinds) + " |", "|---" * (len(kinds) + 1) + "|"]
        for lang in langs:
            lines.append(f"| {lang} | " + " | ".join(str(self.crises[(lang, k)]) for k in kinds) + " |")
        lines += ["", "Most frequent confusions (language, wanted, read as):"]
        lines += [
            f"- {n} x {lang}: {want} -> {got}" for (lang, want, got), n in self.confusions.most_common(15)
        ]
        return "\n".join(lines)


def fold(text: str) -> str:
    """Lower case, punctuation and symbols as spaces (Bengali and Urdu vowel signs kept)."""
    kept = (" " if unicodedata.category(char)[0] in "PSZC" else char for char in text.casefold())
    return " ".join("".join(kept).split())
