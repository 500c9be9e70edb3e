"""The semantic net's decision rule, the bot's crisis signal, and embeddings in transit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import embeddings
from api.bot_client import BotReply
from api.safety import semantic, step
from api.safety.semantic import CLASSES, SemanticNet


def _net(scores: list[float], threshold: float = 0.5) -> SemanticNet:
    """A net whose chances are softmax(scores) whatever the message."""
    weights = np.zeros((len(CLASSES), embeddings.DIM), dtype=np.float32)
    return SemanticNet(weights, np.array(scores, dtype=np.float32), threshold, "test")


def test_an_ordinary_message_is_no_crisis() -> None:
    assert _net([5, 0, 0, 0, 0, 0]).kinds(np.ones(embeddings.DIM)) == []


def test_the_most_likely_kind_comes_first_and_a_close_second_is_kept() -> None:
    vector = np.ones(embeddings.DIM)
    assert _net([0, 3, 0, 0, 0, 0]).kinds(vector) == ["suicide_self_harm"]
    both = _net([0, 3, 0, 0, 0, 2.9]).kinds(vector)
    assert both == ["suicide_self_harm", "medical_emergency"]


def test_no_vector_no_finding() -> None:
    assert _net([0, 3, 0, 0, 0, 0]).kinds(None) == []


def test_a_saved_net_loads_only_for_its_own_embedder(tmp_path: Any) -> None:
    net = _net([0, 1, 0, 0, 0, 0], threshold=0.3)
    path = tmp_path / "net.npz"
    semantic.save(net, path)
    loaded = semantic.load(path, "test")
    assert loaded is not None and loaded.threshold == pytest.approx(0.3)
    assert semantic.load(path, "another embedder") is None
    assert semantic.load(tmp_path / "missing.npz", "test") is None
    (tmp_path / "broken.npz").write_bytes(b"not a net")
    assert semantic.load(tmp_path / "broken.npz", "test") is None


class _Session:
    def __init__(self) -> None:
        self.added: list[Any] = []

    def add(self, row: Any) -> None:
        self.added.append(row)


class _Row:
    id = 7


def test_the_bots_crisis_signal_becomes_the_concern_message_not_a_flag() -> None:
    session = _Session()
    conversation, message = _Row(), _Row()
    replies = [BotReply(step.BOT_SIGNAL), BotReply("anything_else")]
    out = step.from_bot(session, conversation, message, replies, [])  # type: ignore[arg-type]
    assert [r.key for r in out] == ["safety_concern", "anything_else"]
    assert [row.action for row in session.added] == ["safety_concern"]
    assert not hasattr(conversation, "safety_flag")


def test_after_the_nets_concern_the_bots_signal_adds_nothing() -> None:
    session = _Session()
    replies = [BotReply(step.BOT_SIGNAL), BotReply("anything_else")]
    out = step.from_bot(session, _Row(), _Row(), replies, ["suicide_self_harm"])  # type: ignore[arg-type]
    assert [r.key for r in out] == ["anything_else"] and session.added == []
    plain = [BotReply("greet")]
    assert step.from_bot(session, _Row(), _Row(), plain, []) == plain  # type: ignore[arg-type]


def test_an_embedding_travels_as_text_and_anything_else_is_refused() -> None:
    vector = np.random.default_rng(1).normal(size=embeddings.DIM).astype(np.float32)
    vector /= np.linalg.norm(vector)
    back = embeddings.unpack(embeddings.pack(vector))
    assert back is not None and float(back @ vector) > 0.999
    packed = embeddings.pack(vector)
    for bad in (None, 3, "", "abc", packed[:-8], "é" * 1024, packed + "AAAA"):
        assert embeddings.unpack(bad) is None
    nan = embeddings.pack(np.full(embeddings.DIM, np.nan, dtype=np.float32))
    assert embeddings.unpack(nan) is None


def test_understanding_says_what_is_missing(tmp_path: Any) -> None:
    from api.understanding import Understanding

    missing = Understanding.load(str(tmp_path / "no-net.npz"))
    assert missing.net is None
    assert missing.status == "no semantic safety net (run make train)"
    assert missing.crisis_kinds(np.ones(embeddings.DIM)) == []
