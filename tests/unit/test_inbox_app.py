"""The app's own settings for the inbox: docs off in production, HSTS over https, banner codes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.inbox.pages import DONE_BANNERS, ERROR_BANNERS, HEADERS, banners
from api.main import create_app
from api.reminders.booking import WHY_NOT
from api.routes.inbox_appointments import WHY_NOT_CODES


def settings(environment: str, base: str) -> Settings:
    # Built without validation: production's other rules (credentials, transport) are
    # tested with the settings; here only what the app does with these two values matters.
    return Settings.model_construct(
        environment=environment,
        public_base_url=base,
        twilio_auth_token="t" * 32,
        rasa_token="r" * 32,
    )


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_the_api_docs_are_off_in_production(path: str) -> None:
    production = TestClient(create_app(settings("production", "https://inbox.example.org")))
    assert production.get(path).status_code == 404
    development = TestClient(create_app(settings("development", "http://127.0.0.1:8000")))
    assert development.get(path).status_code == 200


def test_hsts_over_https_only() -> None:
    https = TestClient(create_app(settings("test", "https://inbox.example.org")))
    answer = https.get("/inbox/static/inbox.css")
    assert answer.status_code == 200
    assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert https.get("/no/such/page").headers["strict-transport-security"].startswith("max-age=")
    http = TestClient(create_app(settings("test", "http://127.0.0.1:8000")))
    assert "strict-transport-security" not in http.get("/inbox/static/inbox.css").headers


def test_every_answer_says_nosniff_once() -> None:
    app = TestClient(create_app(settings("test", "http://127.0.0.1:8000")))
    for path in ("/inbox/static/inbox.js", "/no/such/page", "/openapi.json"):
        assert app.get(path).headers.get_list("x-content-type-options") == ["nosniff"], path


def test_answers_that_are_not_pages_may_run_or_frame_nothing() -> None:
    app = TestClient(create_app(settings("test", "http://127.0.0.1:8000")))
    for path in ("/inbox/static/inbox.js", "/no/such/page", "/openapi.json"):
        policy = app.get(path).headers.get_list("content-security-policy")
        assert policy == ["default-src 'none'; frame-ancestors 'none'"], path
    docs = app.get("/docs")  # Swagger's own page (development only) keeps working
    assert docs.status_code == 200 and "content-security-policy" not in docs.headers


def test_pages_forbid_plugins_framing_and_base_changes() -> None:
    policy = HEADERS["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"):
        assert directive in policy
    assert HEADERS["Referrer-Policy"] == "no-referrer"
    assert HEADERS["Cache-Control"] == "no-store"


def test_the_static_folder_lists_nothing() -> None:
    app = TestClient(create_app(settings("test", "http://127.0.0.1:8000")))
    for path in ("/inbox/static/", "/inbox/static", "/inbox/static/../templates/base.html"):
        answer = app.get(path)
        assert answer.status_code == 404 and "inbox.js" not in answer.text, path


def test_banners_come_only_from_known_codes() -> None:
    assert banners({"done": "claimed", "error": "no_flag"}) == (
        DONE_BANNERS["claimed"],
        ERROR_BANNERS["no_flag"],
    )
    assert banners({"done": "Call 0800 000 000 now", "error": "<b>Your account is locked</b>"}) == ("", "")


def test_every_reason_a_resident_cannot_be_told_has_a_banner() -> None:
    for code, text in WHY_NOT.items():
        assert ERROR_BANNERS[WHY_NOT_CODES[text]] == text, code
