"""Resident-facing text lives in the catalog, and the bot only ever names catalog keys."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from api import explain, handoff_text, referral_text, rights
from api.i18n import render
from api.messages import MESSAGES
from api.referrals import replies
from api.reminders import text as reminder_text
from api.safety import step

ROOT = Path(__file__).resolve().parents[2]


def _domain_keys() -> dict[str, str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    keys = {}
    for name, variants in domain["responses"].items():
        for variant in variants:
            assert set(variant) == {"custom"}, f"{name} must carry only a catalog key, not text"
            keys[name] = variant["custom"]["key"]
    return keys


def test_every_domain_response_is_a_catalog_key() -> None:
    keys = _domain_keys()
    assert keys, "domain.yml has no responses"
    missing = {name: key for name, key in keys.items() if key not in MESSAGES}
    assert missing == {}


def test_actions_only_send_catalog_keys() -> None:
    used = set()
    for path in (ROOT / "actions").rglob("*.py"):
        source = path.read_text()
        assert "utter_message(text=" not in source, f"{path.name} sends plain text"
        used |= set(re.findall(r"""["']key["']\s*:\s*["'](\w+)["']""", source))
        used |= set(re.findall(r"""_KEY\s*=\s*["'](\w+)["']""", source))
        used |= set(re.findall(r"""utter_key\(\s*dispatcher\s*,\s*["'](\w+)["']""", source))
    assert "human_requested" in used  # the scan finds the keys actions send
    composed = explain.KEYS | referral_text.KEYS | replies.KEYS | rights.KEYS | {step.BOT_SIGNAL}
    assert used - set(MESSAGES) - composed == set()


def test_english_catalog_text_is_the_source_text() -> None:
    # Plain-language measures for every message are in test_plain_language.py.
    composed = explain.KEYS | referral_text.KEYS | handoff_text.KEYS | reminder_text.KEYS
    for key, source in MESSAGES.items():
        if key not in composed:
            assert render(key, "en")[1] == source


def test_an_unknown_key_becomes_the_fallback_with_a_way_to_a_person() -> None:
    key, text = render("no_such_key", "en")
    assert key == "fallback" and "person" in text


def test_every_reply_that_can_dead_end_offers_a_person() -> None:
    for key in ("greet", "help", "fallback", "empty_message"):
        assert "person" in MESSAGES[key]
