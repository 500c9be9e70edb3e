"""A dense featurizer: each message's multilingual sentence embedding (embeddings/), named in
config.yml beside the sparse word and character features.

Rasa 3.6's logistic regression joins a message's sparse and dense sentence features, so the
classifier sees both what the words are and what the message means. The embedding is the
same in every language, so a need learnt from English examples is also found in Bengali or
Polish words the training data never had.

When the worker has already embedded the message (for the safety screen), it sends the
vector in the message's metadata ("embedding", packed by embeddings.pack) and it is used as
it is: each message is embedded once. Without the engine the features are zeros, and the
sparse features still classify (the bot degrades, it does not stop); /healthz says so.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import embeddings

log = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # scale: the embedding's weight beside the sparse counts (unit length x scale).
        return {**DenseFeaturizer.get_default_config(), "scale": 1.0}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if float(config.get("scale", 1.0)) <= 0:
            raise ValueError("SentenceEmbeddingFeaturizer: scale must be above 0")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls(config, execution_context.node_name)

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._scale = float(self._config["scale"])
        self._embedder = embeddings.load()
        if self._embedder is None:
            log.warning("no sentence embeddings: the NLU runs on its sparse features only")

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        examples = [m for m in training_data.training_examples if m.get(TEXT)]
        if self._embedder is not None:
            cache = os.environ.get("EMBEDDINGS_CACHE", "var/cache/embeddings.npz")
            vectors = embeddings.embed_cached(self._embedder, [m.get(TEXT) for m in examples], cache)
        else:
            vectors = np.zeros((len(examples), embeddings.DIM), dtype=np.float32)
        for message, vector in zip(examples, vectors, strict=True):
            self._add(message, vector)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if message.get(TEXT):
                self._add(message, self._vector(message))
        return messages

    def _vector(self, message: Message) -> np.ndarray:
        given = embeddings.unpack((message.get("metadata") or {}).get("embedding"))
        if given is not None:
            return given
        if self._embedder is None:
            return np.zeros(embeddings.DIM, dtype=np.float32)
        return self._embedder.embed([message.get(TEXT)])[0]

    def _add(self, message: Message, vector: np.ndarray) -> None:
        sentence = (np.asarray(vector, dtype=np.float32) * self._scale).reshape(1, -1)
        self.add_features_to_message(sequence=None, sentence=sentence, attribute=TEXT, message=message)
