"""The service directory: strict data, extracted into the catalogs, and a new area is data only."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from pydantic import ValidationError

from api.directory import DIRECTORY, default_area, load_area, load_directory
from api.i18n import LOCALES_DIR, render
from api.messages import MESSAGES

AREA_FILES = sorted(DIRECTORY.glob("*.yml"))


def test_there_is_one_default_area_and_a_second_one() -> None:
    areas = load_directory()
    assert len(areas) >= 2
    assert sum(a.default for a in areas.values()) == 1
    assert default_area(areas).area == "newham"


@pytest.mark.parametrize("path", AREA_FILES, ids=lambda p: p.stem)
def test_the_extractor_finds_every_resident_facing_text(path: Path) -> None:
    found = list(extract_from_file("api.directory_babel:extract_directory", str(path)))
    assert {message for _, message, _, _ in found} == {text for _, text in load_area(path).texts()}
    places = [comment for _, _, comments, _ in found for comment in comments]
    assert len(places) == len(found) and not any(".aka" in place for place in places)


def test_the_catalog_template_holds_every_message_and_directory_text() -> None:
    with (LOCALES_DIR / "messages.pot").open("rb") as handle:
        template = {message.id for message in read_po(handle) if message.id}
    wanted = set(MESSAGES.values()) | {text for area in load_directory().values() for _, text in area.texts()}
    assert wanted - template == set(), "run `make messages` and commit the catalogs"


def _broken(tmp_path: Path, change: dict[str, object]) -> Path:
    data = yaml.safe_load((DIRECTORY / "newham.yml").read_text())
    for dotted, value in change.items():
        *parents, last = dotted.split(".")
        node = data
        for part in parents:
            node = node[part]
        node[last] = value
    path = tmp_path / "newham.yml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    "change",
    [
        {"roles.link_worker.colour": "blue"},  # unknown field
        {"needs.money.best": "astrologer"},  # a role the area does not have
        {"needs.money.also": "wellbeing_practitioner"},  # not in this area
        {"roles.link_worker.needs": ["money", "space_travel"]},  # a need not described
        {"area": "somewhere_else"},  # must match the file name
    ],
)
def test_bad_directory_data_is_refused_with_a_reason(tmp_path: Path, change: dict[str, object]) -> None:
    with pytest.raises((ValidationError, ValueError)):
        load_area(_broken(tmp_path, change))


def test_a_second_area_changes_the_answers_without_code() -> None:
    areas = load_directory()
    default = default_area(areas)
    other = next(a for a in areas.values() if not a.default)
    changed = [
        need
        for need in set(default.needs) & set(other.needs)
        if render("need_answer", "en", {"need": need, "area": default.area})[1]
        != render("need_answer", "en", {"need": need, "area": other.area})[1]
    ]
    assert changed, "the second area should route at least one need differently"
    only_here = set(other.roles) - set(default.roles)
    assert only_here, "the second area should have a role the default does not"
    role = sorted(only_here)[0]
    key, text = render("role_about", "en", {"role": role, "area": other.area})
    assert key == "role_about" and other.roles[role].summary in text
    # Asked in the default area, a role it does not have gets a kind way on, not an error.
    key, text = render("role_about", "en", {"role": role, "area": default.area})
    assert key == "role_not_here" and default.name in text and "person" in text


def test_an_unknown_area_uses_the_default() -> None:
    areas = load_directory()
    default = default_area(areas)
    role = sorted(default.roles)[0]
    assert render("role_about", "en", {"role": role, "area": "atlantis"}) == render(
        "role_about", "en", {"role": role}
    )
