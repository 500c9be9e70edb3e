"""Production refuses weak secrets, and a gateway open to other machines names its environment."""

from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError

from api.config import Settings
from secret_strength import estimated_bits, weakness

STRONG = secrets.token_urlsafe(32)
#: Strong values for every secret; each test weakens one.
GOOD = {
    "twilio_auth_token": secrets.token_hex(16),  # a real Twilio auth token: 32 hex digits
    "rasa_token": secrets.token_urlsafe(32),
    "practitioner_api_token": secrets.token_urlsafe(32),
    "redis_url": f"redis://:{secrets.token_urlsafe(32)}@10.0.0.5:6379/0",
    "database_url": f"postgresql://app:{secrets.token_urlsafe(32)}@10.0.0.6/wellbeing",
    "twilio_account_sid": "AC" + "1" * 32,
    "public_base_url": "https://wellbeing.example.org",
}


def production(**change: str) -> Settings:
    return Settings(**{**GOOD, **change}, environment="production", _env_file=None)


def test_strong_secrets_are_accepted_in_production() -> None:
    settings = production()
    assert settings.rasa_token == GOOD["rasa_token"]
    # Twilio's own tokens (32 hex digits) pass whatever their draw.
    assert all(weakness(secrets.token_hex(16)) is None for _ in range(2000))


WEAK = {
    "short": "Xk3-9fQz_Lm2",
    # Long, but one of the development values the repository publishes.
    "development": "dev-only-rasa-token-change-me-please-now",
    "example": "example-secret-for-the-docs-0123456789",
    # Long, no marker, but a pattern.
    "repeated": "Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3",
    # Long, no marker, no repeat of 8, but few distinct characters.
    "low entropy": "aabbaabaabbbabaabbbaabaabbbaababaabbaab",
}


@pytest.mark.parametrize("value", WEAK.values(), ids=WEAK.keys())
@pytest.mark.parametrize("field", ["twilio_auth_token", "rasa_token", "practitioner_api_token"])
def test_production_refuses_a_weak_secret_in_every_secret_setting(field: str, value: str) -> None:
    assert weakness(value) is not None
    with pytest.raises(ValidationError):
        production(**{field: value})
    # The same value is fine outside production (development and the tests use such values).
    assert getattr(Settings(**{**GOOD, field: value}, environment="development", _env_file=None), field)


@pytest.mark.parametrize("value", WEAK.values(), ids=WEAK.keys())
def test_production_refuses_weak_passwords_of_redis_and_the_database(value: str) -> None:
    with pytest.raises(ValidationError, match="Redis password"):
        production(redis_url=f"redis://:{value}@10.0.0.5:6379/0")
    with pytest.raises(ValidationError, match="Redis password"):
        production(redis_url="redis://10.0.0.5:6379/0", redis_password=value)
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        production(database_url=f"postgresql://app:{value}@10.0.0.6/wellbeing")


def test_production_needs_a_redis_password() -> None:
    with pytest.raises(ValidationError, match="Redis password"):
        production(redis_url="redis://10.0.0.5:6379/0")
    # Given apart, it goes into the URL every Redis client connects with.
    settings = production(redis_url="redis://10.0.0.5:6379/0", redis_password=STRONG)
    assert settings.redis_url == f"redis://:{STRONG}@10.0.0.5:6379/0"


def test_a_redis_password_with_reserved_characters_is_quoted_into_the_url() -> None:
    url = "redis://127.0.0.1:6390/0"
    settings = Settings(**{**GOOD, "redis_url": url}, redis_password="p@ss:w/rd", _env_file=None)
    assert settings.redis_url == "redis://:p%40ss%3Aw%2Frd@127.0.0.1:6390/0"
    # A URL that carries its own password keeps it.
    assert Settings(**GOOD, redis_password="other", _env_file=None).redis_url == GOOD["redis_url"]


def test_the_entropy_estimate_ranks_random_above_patterned() -> None:
    assert estimated_bits(STRONG) > 150
    assert estimated_bits("a" * 43) == 0
    assert estimated_bits("ab" * 20) == 40


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "gateway.internal"])
def test_the_environment_must_be_explicit_when_the_gateway_is_reachable_from_elsewhere(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    with pytest.raises(ValidationError, match="ENVIRONMENT"):
        Settings(**GOOD, gateway_host=host, _env_file=None)
    # Named, in the call or in the environment, it is accepted.
    assert Settings(**GOOD, gateway_host=host, environment="development", _env_file=None)
    monkeypatch.setenv("ENVIRONMENT", "test")
    assert Settings(**GOOD, gateway_host=host, _env_file=None).environment == "test"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_on_loopback_the_environment_may_be_left_to_its_default(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    assert Settings(**GOOD, gateway_host=host, _env_file=None).environment == "development"


def test_make_run_refuses_a_public_gateway_without_an_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from scripts import run

    monkeypatch.setattr(run, "dotenv_values", lambda _path: {"GATEWAY_HOST": "0.0.0.0"})
    for name in ("ENVIRONMENT", "GATEWAY_HOST", "REDIS_URL", "REDIS_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit):
        run.config_from_environment()
    monkeypatch.setenv("ENVIRONMENT", "production")
    config = run.config_from_environment()
    assert config.gateway_host == "0.0.0.0"
    # make run's own Redis gets a password even when .env has none.
    assert config.redis_password and config.redis_password in config.effective_redis_url
