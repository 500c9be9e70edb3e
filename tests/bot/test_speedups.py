"""Rasa's turn made cheaper without changing its answers (bot/components.py, bot/serve.py),
checked in Rasa's own environment."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOT_PYTHON = ROOT / ".venv-bot" / "bin" / "python"


@pytest.fixture(scope="module")
def checked() -> dict[str, Any]:
    assert BOT_PYTHON.exists(), "Rasa's environment is missing: run make setup"
    done = subprocess.run(
        [str(BOT_PYTHON), str(ROOT / "tests" / "bot" / "check_speedups.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_classifier_scores_in_fortran_order_with_the_same_probabilities(checked: dict[str, Any]) -> None:
    assert checked["classifier"] == {
        "stock_c_order": True,  # Rasa's own loads them as trained
        "ours_f_order": True,
        "same_coefficients": True,
        "same_probabilities": True,
    }


def test_the_schema_check_gives_rasas_answers(checked: dict[str, Any]) -> None:
    outcomes = checked["schema_check"]["outcomes"]
    assert [o["stock"][0] for o in outcomes] == ["ok", "ok", "error", "error", "error"]
    for outcome in outcomes:
        assert outcome["ours"] == outcome["stock"]
    assert checked["schema_check"]["installed"]
