from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.config import DEV_AUTH_TOKEN, Settings

GOOD = {
    "twilio_auth_token": "3f9c0a7e51b24d68a1e0c7b9d2f4e815",
    "rasa_token": "q8Zr2XvN-tL0cWm5_Hy7BkPa4JdEe9Uf1SgoVn3Ri6Y",
    "redis_url": "redis://:Vb7mK2pQ-xR9tL4nW_s8ZcY1hJ6fGd3Ae0UoiNq5Pw@127.0.0.1:6390/0",
    "twilio_account_sid": "AC" + "1" * 32,
    "public_base_url": "https://wellbeing.example.org",
}


def test_console_transport_when_no_twilio_account_is_set() -> None:
    settings = Settings(twilio_auth_token=DEV_AUTH_TOKEN, rasa_token="dev-only-rasa-token", _env_file=None)
    assert settings.resolved_transport == "console"
    assert Settings(**GOOD, _env_file=None).resolved_transport == "twilio"


@pytest.mark.parametrize(
    "change",
    [
        {"twilio_auth_token": DEV_AUTH_TOKEN},
        {"rasa_token": "dev-only-rasa-token-change-me"},
        {"twilio_account_sid": "", "transport": ""},
        {"public_base_url": "http://wellbeing.example.org"},
        {"practitioner_api_token": "short-token"},
    ],
)
def test_production_refuses_development_values(change: dict[str, str]) -> None:
    Settings(**GOOD, environment="production", _env_file=None)  # the good set is accepted
    with pytest.raises(ValidationError):
        Settings(**{**GOOD, **change}, environment="production", _env_file=None)


def test_secrets_have_no_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    monkeypatch.delenv("RASA_TOKEN", raising=False)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_the_default_language_must_be_a_supported_one() -> None:
    with pytest.raises(ValidationError, match="DEFAULT_LANGUAGE"):
        Settings(**GOOD, default_language="fr", _env_file=None)
    assert Settings(**GOOD, default_language="pl", _env_file=None).default_language == "pl"
