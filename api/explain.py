"""Messages composed from the service directory: explaining a role, answering a need.

The bot asks for them by key, like any catalog message, naming a role or need id; the area
comes from the conversation (the default area until the resident's postcode says otherwise).
Each field is translated on its own through the catalog, then the fields are joined.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from api.directory import Area, Need, Role

Translate = Callable[[str], str]

#: Keys this module renders, and the role fields each joins into one SMS.
ROLE_PARTS: dict[str, tuple[str, ...]] = {
    "role_about": ("summary", "who"),
    "role_details": ("what", "where", "how_long"),
    "role_access": ("how_to_get",),
    "role_where": ("where",),
    "role_how_long": ("how_long",),
}
OTHER_KEYS = ("role_offer", "role_compare", "need_answer", "need_also")
KEYS = frozenset({*ROLE_PARTS, *OTHER_KEYS})


class UnknownReference(LookupError):
    """The bot named a role or need this area does not have."""

    def __init__(self, kind: str, value: object, area: Area) -> None:
        super().__init__(f"{kind} {value!r} not in area {area.area}")
        self.kind = kind


def _heading(title: str) -> str:
    return title[:1].upper() + title[1:]


def _role(area: Area, value: object) -> Role:
    role = area.roles.get(str(value))
    if role is None:
        raise UnknownReference("role", value, area)
    return role


def _need(area: Area, value: object) -> Need:
    need = area.needs.get(str(value))
    if need is None:
        raise UnknownReference("need", value, area)
    return need


def compose(
    key: str,
    params: Mapping[str, Any],
    area: Area,
    translate: Translate,
    catalog: Mapping[str, str],
) -> str:
    """English text of a directory message, translated piece by piece with `translate`."""
    if key in ROLE_PARTS:
        role = _role(area, params.get("role"))
        pieces = [translate(getattr(role, field)) for field in ROLE_PARTS[key]]
        if key == "role_access":
            pieces.insert(0, translate(catalog["it_is_free"]))
        return " ".join(pieces)
    if key == "role_offer":
        # Closes an explanation: that it is free, how to get it, and the offer to ask for it.
        role = _role(area, params.get("role"))
        return " ".join(
            [
                translate(catalog["it_is_free"]),
                translate(role.how_to_get),
                translate(catalog["offer_referral"]),
            ]
        )
    if key == "role_compare":
        first, second = _role(area, params.get("role")), _role(area, params.get("other"))
        return "\n".join(
            translate(catalog["role_is"])
            % {"title": _heading(translate(r.title)), "summary": translate(r.summary)}
            for r in (first, second)
        )
    if key == "need_answer":
        need = _need(area, params.get("need"))
        best = area.roles[need.best]
        return " ".join(
            [
                translate(need.reflect),
                translate(catalog["need_best_fit"]) % {"title": translate(best.title)},
                translate(best.summary),
            ]
        )
    if key == "need_also":
        need, earlier = _need(area, params.get("need")), _need(area, params.get("first"))
        same = need.best == earlier.best
        also = translate(catalog["need_same_help" if same else "need_other_help"])
        return translate(need.reflect) + " " + also % {"title": translate(area.roles[need.best].title)}
    raise KeyError(key)
