"""Every resident-facing message exists, translated, in every supported language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from api.languages import load_languages

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")
#: The catalogs' source language: its msgids are the English text itself.
SOURCE = "en"


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


TEMPLATE = _read(LOCALES / "messages.pot")
TRANSLATED = [code for code in load_languages() if code != SOURCE]


def _catalog(code: str) -> Catalog:
    return _read(LOCALES / load_languages()[code].locale / "LC_MESSAGES" / "messages.po")


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_message_is_missing_untranslated_or_fuzzy(code: str) -> None:
    catalog = _catalog(code)
    wanted = {m.id for m in TEMPLATE if m.id}
    present = {m.id: m for m in catalog if m.id}
    assert wanted - set(present) == set(), "run `make messages`"
    untranslated = [m.id for m in present.values() if not m.string]
    fuzzy = [m.id for m in present.values() if m.fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_placeholders_match_the_english(code: str) -> None:
    wrong = {
        m.id: m.string
        for m in _catalog(code)
        if m.id and sorted(PLACEHOLDER.findall(str(m.id))) != sorted(PLACEHOLDER.findall(str(m.string)))
    }
    assert wrong == {}


@pytest.mark.parametrize("code", TRANSLATED)
def test_line_structure_and_menu_digits_are_kept(code: str) -> None:
    for message in _catalog(code):
        if not message.id:
            continue
        source, text = str(message.id), str(message.string)
        assert source.count("\n") == text.count("\n"), source
        # Numbered choices start lines with ASCII digits residents can type.
        assert re.findall(r"^\d+ ", source, re.M) == re.findall(r"^\d+ ", text, re.M), source
        assert "\u201c" not in text and "\u201d" not in text, f"curly quotes in {source!r}"


def test_the_template_has_no_stray_entries() -> None:
    # Keys like "summary_header" in the template would mean code called _("key").
    stray = [m.id for m in TEMPLATE if m.id and re.fullmatch(r"[a-z_]+", str(m.id))]
    assert stray == []
