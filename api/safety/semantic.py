"""The second safety net: what a message means, not which words it uses.

A small classifier (softmax regression, trained by api/safety/train_semantic.py) reads each
message's multilingual sentence embedding (embeddings/) and gives the chance of each crisis
kind. It catches what no phrase list can hold: "nobody would notice if I was gone", tablets
saved up, the means at hand, in any of the languages and in Latin letters, and it was taught
idioms and negation as not crises ("this queue is killing me", "I'm not suicidal, I just
need help with my bill").

A kind is found when its share of the crisis chance passes the net's threshold, chosen at
training for recall (every held-out crisis of the training data caught) before false alarms.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from api.safety.phrases import CATEGORIES

log = logging.getLogger(__name__)

NOT_CRISIS = "not_crisis"
CLASSES = (NOT_CRISIS, *CATEGORIES)


@dataclass(frozen=True)
class SemanticNet:
    weights: np.ndarray  # (len(CLASSES), DIM)
    bias: np.ndarray  # (len(CLASSES),)
    #: A message is a crisis when the chance it is not one falls below this.
    threshold: float
    embedder_name: str

    def chances(self, vector: np.ndarray) -> np.ndarray:
        scores = self.weights @ np.asarray(vector, dtype=np.float32) + self.bias
        scores = np.exp(scores - scores.max())
        chances: np.ndarray = scores / scores.sum()
        return chances

    def kinds(self, vector: np.ndarray | None) -> list[str]:
        """The crisis kinds this message reads as (most likely first), or []."""
        if vector is None:
            return []
        chances = self.chances(vector)
        if chances[0] >= self.threshold:
            return []
        order = np.argsort(-chances[1:])
        best = chances[1:][order[0]]
        # The most likely kind, and a second one only if it is nearly as likely.
        return [CLASSES[1 + i] for i in order[:2] if chances[1 + i] >= 0.5 * best]


def save(net: SemanticNet, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        path,
        classes=np.array(CLASSES),
        weights=net.weights,
        bias=net.bias,
        threshold=np.float32(net.threshold),
        embedder=net.embedder_name,
    )


def load(path: Path, embedder_name: str) -> SemanticNet | None:
    """The trained net, or None (missing, damaged, other classes or another embedder): the
    phrase lists then stand alone, and /healthz says so."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            if tuple(saved["classes"].tolist()) != CLASSES or str(saved["embedder"]) != embedder_name:
                log.warning("the semantic safety net at %s was trained for something else", path)
                return None
            return SemanticNet(
                saved["weights"].astype(np.float32),
                saved["bias"].astype(np.float32),
                float(saved["threshold"]),
                embedder_name,
            )
    except (OSError, ValueError, KeyError) as exc:
        log.warning("no semantic safety net (%s)", type(exc).__name__)
        return None
