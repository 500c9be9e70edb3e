"""The bot's launchers take their tokens from the environment and check bearer headers
(bot/auth.py; its Sanic part is exercised through the running system in
tests/e2e/test_internal_auth.py)."""

from __future__ import annotations

import secrets

import pytest

from bot.auth import bearer_matches, token_from_environment

TOKEN = secrets.token_urlsafe(32)


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (f"Bearer {TOKEN}", True),
        (f"bearer {TOKEN}", True),
        (None, False),
        ("", False),
        (TOKEN, False),
        (f"Basic {TOKEN}", False),
        (f"Bearer {TOKEN[:-1]}", False),
        (f"Bearer {TOKEN}x", False),
        ("Bearer ", False),
    ],
)
def test_only_the_bearer_token_itself_matches(header: str | None, ok: bool) -> None:
    assert bearer_matches(header, TOKEN) is ok


def test_a_launcher_refuses_to_start_without_its_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RASA_TOKEN", raising=False)
    with pytest.raises(SystemExit, match="RASA_TOKEN is not set"):
        token_from_environment("RASA_TOKEN", "Rasa")
    monkeypatch.setenv("RASA_TOKEN", "")
    with pytest.raises(SystemExit):
        token_from_environment("RASA_TOKEN", "Rasa")


def test_in_production_a_launcher_refuses_a_weak_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "dev-only-rasa-token-change-me")
    monkeypatch.setenv("ENVIRONMENT", "development")
    assert token_from_environment("ACTION_SERVER_TOKEN", "x") == "dev-only-rasa-token-change-me"
    monkeypatch.setenv("ENVIRONMENT", "production")
    with pytest.raises(SystemExit, match="ACTION_SERVER_TOKEN"):
        token_from_environment("ACTION_SERVER_TOKEN", "x")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", TOKEN)
    assert token_from_environment("ACTION_SERVER_TOKEN", "x") == TOKEN
