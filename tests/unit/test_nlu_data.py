"""The NLU data agrees with the service directory and the domain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from api.directory import NEED_IDS, ROLE_IDS, load_directory
from api.languages import load_languages

ROOT = Path(__file__).resolve().parents[2]


def _items(path: Path) -> list[dict[str, str]]:
    items: list[dict[str, str]] = yaml.safe_load(path.read_text())["nlu"]
    return items


def _examples(item: dict[str, str]) -> list[str]:
    return [line[2:].strip() for line in item["examples"].splitlines() if line.startswith("- ")]


def test_every_directory_name_for_a_role_is_recognised_as_that_role() -> None:
    items = _items(ROOT / "data/nlu/en.yml")
    lookup = {e.lower() for i in items if i.get("lookup") == "role" for e in _examples(i)}
    synonyms = {e.lower(): i["synonym"] for i in items if "synonym" in i for e in _examples(i)}
    assert set(synonyms.values()) <= ROLE_IDS
    for area in load_directory().values():
        for role_id, role in area.roles.items():
            for name in role.aka:
                assert name.lower() in lookup, f"{name!r} ({area.area}) is missing from the role lookup"
                assert synonyms.get(name.lower(), name) == role_id or name == role_id, name


def test_need_intents_match_the_directory_needs() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    need_intents = {i.removeprefix("need_") for i in domain["intents"] if i.startswith("need_")}
    assert need_intents == NEED_IDS


@pytest.mark.parametrize("code", list(load_languages()))
def test_the_held_out_test_set_covers_every_intent(code: str) -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    test_file = ROOT / f"tests/nlu/{code}_test.yml"
    tested = {i["intent"]: len(_examples(i)) for i in _items(test_file) if "intent" in i}
    # EXTERNAL_ intents are sent by the gateway, never typed.
    assert {i for i in domain["intents"] if not i.startswith("EXTERNAL_")} <= set(tested)
    for intent, count in tested.items():
        assert count >= 4, f"{intent} has only {count} test messages"
    # Held out means not trained on, in any language; bare menu numbers ("1") are the exception.
    trained = {
        _plain(e)
        for path in (ROOT / "data/nlu").glob("*.yml")
        for i in _items(path)
        if "intent" in i
        for e in _examples(i)
    }
    held_out = [e for i in _items(test_file) if "intent" in i for e in _examples(i)]
    overlap = [e for e in held_out if _plain(e) in trained and len(e) > 2]
    assert overlap == [], f"test messages also in the training data: {overlap}"


def _plain(example: str) -> str:
    """An example without its entity markup: "[link worker](role)" -> "link worker"."""
    return re.sub(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}", lambda m: m.group(1) or m.group(2), example)


@pytest.mark.parametrize("code", list(load_languages()))
def test_no_example_starts_with_a_slash(code: str) -> None:
    # "/..." is Rasa's syntax for an intent; the gateway strips it from residents' messages.
    items = _items(ROOT / f"data/nlu/{code}.yml")
    assert [e for i in items if "intent" in i for e in _examples(i) if e.startswith("/")] == []
