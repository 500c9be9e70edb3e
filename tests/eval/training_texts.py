"""Every sentence the models learn from: the NLU data and the semantic safety net's data."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import yaml

_ENTITY = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def training_texts(root: Path) -> list[str]:
    texts: list[str] = []
    for path in sorted((root / "data" / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in str(item.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    texts.append(_ENTITY.sub(r"\1", line.strip()[2:]))
    for path in sorted((root / "safety" / "semantic").glob("*.yml")):
        for value in yaml.safe_load(path.read_text(encoding="utf-8")).values():
            if isinstance(value, list):
                texts.extend(str(text) for text in value)
    return texts


def grams(text: str, n: int = 4) -> set[str]:
    padded = f" {text} "
    return {padded[i : i + n] for i in range(max(1, len(padded) - n + 1))}


class NearCopies:
    """Which training texts share most of a text's character 4-grams (Jaccard similarity)."""

    def __init__(self, texts: list[str]) -> None:
        self._grams = [grams(text) for text in texts]
        self._texts = texts
        self._index: dict[str, list[int]] = defaultdict(list)
        for i, found in enumerate(self._grams):
            for gram in found:
                self._index[gram].append(i)

    def closest(self, text: str) -> tuple[float, str]:
        mine = grams(text)
        shared: dict[int, int] = defaultdict(int)
        for gram in mine:
            for i in self._index.get(gram, ()):
                shared[i] += 1
        best, best_text = 0.0, ""
        for i, count in shared.items():
            score = count / (len(mine) + len(self._grams[i]) - count)
            if score > best:
                best, best_text = score, self._texts[i]
        return best, best_text
