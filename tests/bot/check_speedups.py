"""Run in Rasa's environment by tests/bot/test_speedups.py: bot/components.py and bot/serve.py
give Rasa's own answers. Prints one JSON object."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import scipy.sparse


def classifier() -> dict[str, object]:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    from bot.components import FortranOrderLogisticRegressionClassifier

    rng = np.random.default_rng(7)
    features = scipy.sparse.random(300, 2000, density=0.01, format="csr", random_state=7)
    labels = rng.integers(0, 12, 300)
    config = LogisticRegressionClassifier.get_default_config()
    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    resource = Resource("intent_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    stock = LogisticRegressionClassifier.create(config, storage, resource, context)
    stock.clf.fit(features, labels)
    stock.persist()
    ours = FortranOrderLogisticRegressionClassifier.load(config, storage, resource, context)
    loaded_stock = LogisticRegressionClassifier.load(config, storage, resource, context)
    probe = scipy.sparse.random(50, 2000, density=0.01, format="csr", random_state=8)
    return {
        "stock_c_order": bool(loaded_stock.clf.coef_.flags.c_contiguous),
        "ours_f_order": bool(ours.clf.coef_.flags.f_contiguous),
        "same_coefficients": bool(np.array_equal(ours.clf.coef_, loaded_stock.clf.coef_)),
        "same_probabilities": bool(
            np.array_equal(ours.clf.predict_proba(probe), loaded_stock.clf.predict_proba(probe))
        ),
    }


def schema_check() -> dict[str, object]:
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    from bot import serve

    stock = RemoteAction("action_x", None)._validate_action_result
    answers = [
        {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"response": "utter_x"}]},
        {"events": [], "responses": []},
        {"events": [{"event": "no_such_event"}]},
        {"events": "not a list"},
        {"responses": ["not an object"]},
    ]
    outcomes = []
    for answer in answers:
        results = []
        for check in (stock, lambda a: serve.validate_action_result(None, a)):
            try:
                results.append(("ok", check(answer)))
            except ValidationError as error:
                results.append(("error", error.message))
        outcomes.append({"stock": results[0], "ours": results[1]})
    serve.install()
    installed = RemoteAction._validate_action_result is serve.validate_action_result
    return {"outcomes": outcomes, "installed": installed}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    print(json.dumps({"classifier": classifier(), "schema_check": schema_check()}))
