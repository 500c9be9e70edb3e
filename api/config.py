"""Settings, read from the environment (and `.env`) when asked for, never at import time.

Every field is documented in `.env.example`.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from ipaddress import ip_address
from typing import Literal
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.languages import load_languages
from secret_strength import weakness

#: The development auth token from `.env.example`. Console mode signs and checks with it;
#: production refuses it.
DEV_AUTH_TOKEN = "dev-only-auth-token-change-me"  # noqa: S105 - public on purpose, refused in production


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    #: Must be set explicitly (no default) when the gateway binds to a non-loopback address.
    environment: Literal["development", "test", "production"] = "development"
    #: Where the gateway listens (scripts/stack.py passes it to uvicorn).
    gateway_host: str = "127.0.0.1"
    public_base_url: str = "http://127.0.0.1:8000"

    # Twilio. The auth token signs every webhook, in every mode.
    twilio_account_sid: str = ""
    twilio_auth_token: str = Field(min_length=8)
    twilio_from_sms: str = ""
    twilio_from_whatsapp: str = ""
    #: Test only: where the twilio SDK sends REST calls (a local fake of the Messages API).
    twilio_api_base_url: str = ""
    #: "twilio" or "console"; empty means twilio when TWILIO_ACCOUNT_SID is set, else console.
    transport: Literal["twilio", "console", ""] = ""

    database_url: str = "sqlite+aiosqlite:///var/app.db"
    redis_url: str = "redis://127.0.0.1:6390/0"
    #: Redis's password (requirepass), for a REDIS_URL that does not carry one itself.
    redis_password: str = ""
    rasa_url: str = "http://127.0.0.1:5005"
    #: Protects Rasa's HTTP API; the worker reads trackers with it before any retried turn.
    rasa_token: str = Field(min_length=8)
    action_server_url: str = "http://127.0.0.1:5055"

    default_language: str = "en"
    queue_name: str = "wellbeing:queue"
    #: Job worker processes. A turn's own work (database, HTTP, Redis) is Python holding one
    #: core, so two use both cores of a small machine (measured in docs/benchmarks.md).
    worker_processes: int = Field(default=2, ge=1, le=16)

    #: Seconds to wait for the bot before a short holding reply goes to the resident.
    holding_reply_after: float = 5.0
    #: Out of hours, a safety flag alerts this on-call address through the transport (E.164,
    #: or whatsapp: and E.164). Empty: no alert; the flag waits in the inbox.
    oncall_alert_to: str = ""
    #: Alert the on-call address in opening hours too (the inbox shows flags first anyway).
    oncall_alert_in_hours: bool = False
    #: Seconds one bot turn may take before it counts as failed and is retried.
    bot_timeout: float = 30.0
    #: Longest wait between retries of a bot turn or a send (seconds).
    retry_max_delay: float = 30.0
    send_max_attempts: int = 6
    #: The bot reads at most this many characters of one message; the whole text is stored.
    bot_max_chars: int = 1000
    #: A stuck job is picked up again by the recovery sweep after this many seconds.
    recovery_after: float = 30.0
    #: A resident who comes back to an unfinished referral after this many seconds is asked
    #: whether to carry on, rather than their message being taken as the next answer.
    referral_resume_after: float = 3600.0
    #: Bearer token for the practitioners' JSON API, for machine clients (people use the inbox login).
    practitioner_api_token: str = ""
    #: The bot forgets a resident (and any unfinished referral answers) after this many days
    #: without a message from them; the messages stay in the database.
    bot_memory_days: int = Field(default=7, ge=1)
    #: Residents silent this many days, with no open referral or safety flag, are removed
    #: altogether by the daily retention job. 0 keeps everything.
    retention_days: int = Field(default=0, ge=0)
    #: The team's opening hours, usual wait and closed days (YAML; bank holidays built in).
    opening_hours_file: str = "directory/service/opening_hours.yml"
    #: The semantic safety net, trained by make train (api/safety/train_semantic.py).
    semantic_safety_model: str = "models/safety-semantic.npz"
    #: Inbox sessions end after this many minutes without a request, and after this many
    #: hours whatever happens.
    inbox_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    inbox_absolute_hours: int = Field(default=10, ge=1, le=24 * 7)
    #: Login tries per account name from one device or address, per address, and per name
    #: from places it never logged in from, within INBOX_LOGIN_WINDOW_MINUTES (docs/security.md).
    inbox_login_limit: int = Field(default=5, ge=1)
    inbox_login_ip_limit: int = Field(default=20, ge=1)
    inbox_login_name_limit: int = Field(default=20, ge=1)
    inbox_login_window_minutes: int = Field(default=15, ge=1)
    #: WhatsApp templates approved by Meta, as JSON: {"canned_wait": "HX..."}. Outside the
    #: 24-hour window only these replies can go by WhatsApp.
    whatsapp_templates: dict[str, str] = Field(default_factory=dict)
    #: Appointment reminders: how long before (days "3d" at REMINDER_LOCAL_TIME, or hours "2h"),
    #: and none for an appointment booked less than REMINDER_MIN_NOTICE_HOURS ahead.
    reminder_offsets: str = "3d,1d"
    reminder_local_time: str = "10:00"
    reminder_min_notice_hours: float = Field(default=2.0, ge=0)
    #: Follow-ups after a referral is accepted: "has the service been in touch?" and a review.
    followup_check_days: int = Field(default=14, ge=1)
    followup_review_days: int = Field(default=42, ge=1)
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _default_language_is_supported(self) -> Settings:
        supported = load_languages()
        if self.default_language not in supported:
            listed = ", ".join(supported)
            raise ValueError(f"DEFAULT_LANGUAGE {self.default_language!r} is not one of {listed}")
        return self

    @model_validator(mode="after")
    def _oncall_address_is_a_number(self) -> Settings:
        """A mistyped on-call number would only show when a crisis comes: refuse it at start."""
        if self.oncall_alert_to:
            from api.gateway.parsing import parse_address

            if not parse_address(self.oncall_alert_to).valid:
                raise ValueError("ONCALL_ALERT_TO must be a phone number (E.164, or whatsapp: and E.164)")
        return self

    @model_validator(mode="after")
    def _reminder_settings_are_readable(self) -> Settings:
        from api.reminders.timing import parse_offsets

        parse_offsets(self.reminder_offsets)
        time.fromisoformat(self.reminder_local_time)
        return self

    @model_validator(mode="after")
    def _redis_url_carries_the_password(self) -> Settings:
        """Every Redis client (arq, sessions, pub/sub) connects with REDIS_URL, so a separate
        REDIS_PASSWORD is put into it."""
        parts = urlsplit(self.redis_url)
        if self.redis_password and not parts.password:
            user = quote(parts.username or "", safe="")
            netloc = f"{user}:{quote(self.redis_password, safe='')}@{parts.netloc.rpartition('@')[2]}"
            self.redis_url = urlunsplit(parts._replace(netloc=netloc))
        return self

    @model_validator(mode="after")
    def _environment_is_explicit_off_loopback(self) -> Settings:
        if "environment" not in self.model_fields_set and not is_loopback(self.gateway_host):
            raise ValueError(
                f"GATEWAY_HOST {self.gateway_host!r} is reachable from other machines: "
                "set ENVIRONMENT (development, test or production) explicitly"
            )
        return self

    def secrets(self) -> dict[str, str]:
        """Every secret setting by name, with Redis's and the database's passwords (empty when
        there is none)."""
        return {
            "TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "RASA_TOKEN": self.rasa_token,
            "PRACTITIONER_API_TOKEN": self.practitioner_api_token,
            "the Redis password (REDIS_URL or REDIS_PASSWORD)": urlsplit(self.redis_url).password or "",
            "the DATABASE_URL password": urlsplit(self.database_url).password or "",
        }

    @model_validator(mode="after")
    def _refuse_development_values_in_production(self) -> Settings:
        if self.environment == "production":
            if self.twilio_auth_token == DEV_AUTH_TOKEN:
                raise ValueError("TWILIO_AUTH_TOKEN is the development value; set the real one")
            if self.rasa_token.startswith("dev-only"):
                raise ValueError("RASA_TOKEN is the development value; set a long random one")
            if not urlsplit(self.redis_url).password:
                raise ValueError("production needs a Redis password (REDIS_PASSWORD or in REDIS_URL)")
            for name, value in self.secrets().items():
                # Empty means "not used" here: no practitioner API, a database without a password.
                if value and (reason := weakness(value)):
                    raise ValueError(f"{name} {reason}; generate one with secrets.token_urlsafe(32)")
            if self.resolved_transport != "twilio":
                raise ValueError("production needs TRANSPORT=twilio and Twilio credentials")
            if self.practitioner_api_token and len(self.practitioner_api_token) < 24:
                raise ValueError("PRACTITIONER_API_TOKEN must be at least 24 characters in production")
            if not self.public_base_url.startswith("https://"):
                raise ValueError("PUBLIC_BASE_URL must be https in production")
        return self

    @property
    def resolved_transport(self) -> Literal["twilio", "console"]:
        if self.transport:
            return self.transport
        return "twilio" if self.twilio_account_sid else "console"

    @property
    def cookie_secure(self) -> bool:
        """Inbox cookies are Secure whenever the public address is https."""
        return self.public_base_url.startswith("https://")

    @property
    def urgent_queue_name(self) -> str:
        """The urgent lane's queue: safety replies, holding replies and on-call alerts, never
        behind the bot's backlog."""
        return f"{self.queue_name}:urgent"

    def public_url(self, path: str) -> str:
        return self.public_base_url.rstrip("/") + path


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve to anything


@lru_cache
def get_settings() -> Settings:
    return Settings()  # values come from the environment
