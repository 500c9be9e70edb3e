"""The service directory: each area's support roles and the needs they cover, as data.

One YAML file per area in `directory/`. Adding an area is a data change only. Every text in
these files reaches residents, so it is extracted into the Babel catalogs like any other
message (see `api/directory_babel.py`) and held to the same plain-language checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from actions.answers import NEEDS

DIRECTORY = Path(__file__).resolve().parent.parent / "directory"

#: Stable ids: the bot's entities and the referral data use them, whatever an area calls a role.
ROLE_IDS = frozenset(
    {
        "link_worker",
        "health_coach",
        "care_coordinator",
        "care_navigator",
        "community_connector",
        "neighbourhood_link_worker",
        "wellbeing_practitioner",
    }
)
#: The needs, in the order the referral numbers them (actions/answers.py is the one list).
NEED_IDS = frozenset(NEEDS)
#: The fields of a role that residents read (the rest are ids and matching aids).
ROLE_TEXT_FIELDS = ("title", "summary", "who", "what", "where", "how_long", "how_to_get")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(_Strict):
    aka: list[str]
    title: str
    summary: str
    who: str
    what: str
    where: str
    how_long: str
    how_to_get: str
    needs: list[str]


class Need(_Strict):
    reflect: str
    best: str
    also: str | None = None


class Area(_Strict):
    area: str
    name: str
    default: bool = False
    postcode_districts: list[str]
    referral_wait: str
    roles: dict[str, Role]
    needs: dict[str, Need]

    @model_validator(mode="after")
    def _references_hold(self) -> Area:
        unknown_roles = set(self.roles) - ROLE_IDS
        if unknown_roles:
            raise ValueError(f"unknown role ids {sorted(unknown_roles)}; known: {sorted(ROLE_IDS)}")
        unknown_needs = set(self.needs) - NEED_IDS
        if unknown_needs:
            raise ValueError(f"unknown need ids {sorted(unknown_needs)}; known: {sorted(NEED_IDS)}")
        for role_id, role in self.roles.items():
            if missing := set(role.needs) - set(self.needs):
                raise ValueError(f"role {role_id} lists needs not described here: {sorted(missing)}")
        for need_id, need in self.needs.items():
            for choice in (need.best, need.also):
                if choice is not None and choice not in self.roles:
                    raise ValueError(f"need {need_id} points to {choice}, which this area does not have")
            if need_id not in self.roles[need.best].needs:
                raise ValueError(f"need {need_id}: its best role {need.best} does not list it")
            if need.also == need.best:
                raise ValueError(f"need {need_id}: the alternative is the best role again")
        return self

    def texts(self) -> Iterator[tuple[str, str]]:
        """Every resident-facing text, with where it is: ("roles.link_worker.summary", text)."""
        yield "referral_wait", self.referral_wait
        for role_id, role in self.roles.items():
            for name in ROLE_TEXT_FIELDS:
                yield f"roles.{role_id}.{name}", getattr(role, name)
        for need_id, need in self.needs.items():
            yield f"needs.{need_id}.reflect", need.reflect


def load_area(path: Path) -> Area:
    area = Area.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    if area.area != path.stem:
        raise ValueError(f"{path.name}: 'area' must be {path.stem!r}, the file's name")
    return area


@lru_cache(maxsize=4)
def load_directory(folder: Path = DIRECTORY) -> dict[str, Area]:
    areas = {path.stem: load_area(path) for path in sorted(folder.glob("*.yml"))}
    defaults = [a.area for a in areas.values() if a.default]
    if len(defaults) != 1:
        raise ValueError(f"exactly one area must be the default, found {defaults}")
    return areas


def default_area(areas: dict[str, Area]) -> Area:
    return next(a for a in areas.values() if a.default)


def role_names(areas: dict[str, Area]) -> set[str]:
    """Every title and other name of every role, in every area."""
    roles = [role for area in areas.values() for role in area.roles.values()]
    return {name for role in roles for name in (role.title, *role.aka)}
