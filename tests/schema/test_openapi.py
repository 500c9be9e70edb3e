"""Property-based tests of the gateway's and the inbox's OpenAPI schema (Schemathesis, in-process).

Schemathesis reads `/openapi.json` from the app built by `api.main:create_app` and sends
generated requests (valid ones, and invalid ones) straight to the ASGI app: no server, no
network. Every answer must be

- no server error: no 5xx, and no exception out of the app (only `/healthz` may answer its
  documented 503, see `no_server_error`);
- documented: its status code, content type, headers and body match the schema.

It goes past the front door: `/api/...` calls carry the practitioners' bearer token, `/inbox/...`
calls an admin's session cookie and its CSRF token (from a real login, in-process), and a
generated Twilio webhook is signed over exactly the form it carries, so it is stored and queued as
a real one would be. Generated path ids, references and phone numbers are mixed with ones that
exist (Schemathesis dictionaries), so actions reach real conversations, referrals, appointments
and erasure requests. A second and third test send webhooks unsigned and everything else with no
credentials at all: 403, 401 or a redirect to the login page, never a 2xx or a 5xx. The last
checks that the first got past the door (else it would pass on refusals alone).

Left out: `/inbox/events`, a live event stream that never ends. (`/inbox/static` is not in the
schema.) The app runs on SQLite here whatever TEST_DATABASE_URL says.

Isolation: this module has its own SQLite file (migrated with Alembic) and its own Redis database
number on the suite's Redis, so what it claims, resolves, erases or logs out is invisible to the
other tests, and the suite's worker never sees its jobs. (Redis pub/sub is server-wide, so its
inbox events reach the suite's gateway; they carry ids only and nothing listens meanwhile.)

Bounded for CI: SCHEMA_TEST_EXAMPLES (default 25) examples per operation in the fuzzing phase,
plus Schemathesis's deterministic example and coverage phases; a fixed seed and Hypothesis's
derandomize, so a run is the same run every time. SCHEMA_TEST_REPORT=<file> writes the status
codes each operation answered (JSON), to see how deep the generated requests went.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, settings
from redis.asyncio import Redis as AsyncRedis
from schemathesis.python.asgi import ASGIClient, shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.config import Settings
from api.db.models import ProviderStatus
from api.gateway.signature import sign
from api.inbox.compose import CANNED_KEYS
from api.inbox.sessions import COOKIE, SessionStore, cookie_name
from api.main import create_app
from api.reminders.appointments import KINDS
from api.reminders.timing import LONDON
from scripts.stack import Stack, StackConfig
from tests.conftest import PRACTITIONER_TOKEN, PUBLIC_BASE_URL
from tests.inbox_support import Account, make_account
from tests.support import DEV_TOKEN, Database

#: The public address is https, so the inbox's cookies have the __Host- prefix.
SESSION_COOKIE = cookie_name(COOKIE, secure=True)

pytestmark = pytest.mark.stack
Case = schemathesis.Case[Any]

#: Examples per operation in the fuzzing phase (the example and coverage phases add a bounded,
#: deterministic set). 25 keeps the module to about a minute on two cores.
EXAMPLES = int(os.environ.get("SCHEMA_TEST_EXAMPLES", "25"))
SEED = 20260101
#: This module's Redis database on the suite's Redis (the suite uses 0).
REDIS_DB = 13

HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def no_server_error(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case) -> None:
    """No 5xx. `/healthz` alone may answer 503, its documented "a component is down": here the
    worker's heartbeat is in the suite's Redis database, not this module's, so it always does."""
    if response.status_code >= 500 and not (case.path == "/healthz" and response.status_code == 503):
        raise AssertionError(
            f"{case.method} {case.path} answered {response.status_code}: {response.text[:500]}"
        )


CHECKS = [
    no_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


#: Status codes each operation answered in the test with credentials: see the last test.
ANSWERS: dict[str, Counter[int]] = {}


@dataclass
class Seeded:
    """What exists in this module's database, for the dictionaries and the credentials."""

    env: dict[str, str]
    phones: list[str]
    conversations: list[int]
    references: list[str]
    appointments: list[int]
    erasure_requests: list[int]
    practitioners: list[int]
    admin_id: int
    #: The admin's session: cookie value and CSRF token.
    session: str
    csrf: str


def _redis_url(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def _settings(env: dict[str, str]) -> Settings:
    """Settings as the gateway process would read them, from this environment."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        return Settings()


def _all_text(fields: object) -> TypeGuard[dict[str, str]]:
    return isinstance(fields, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in fields.items()
    )


def _signed_headers(path: str, form: dict[str, str]) -> dict[str, str]:
    return {"X-Twilio-Signature": sign(DEV_TOKEN, PUBLIC_BASE_URL + path, form)}


def _inbound(client: ASGIClient, phone: str, body: str, whatsapp: bool = False) -> None:
    form = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": "AC" + "1" * 32,
        "From": f"whatsapp:{phone}" if whatsapp else phone,
        "To": "whatsapp:+447000000000" if whatsapp else "+447000000000",
        "Body": body,
        "NumMedia": "0",
    }
    response = client.post("/twilio/messages", data=form, headers=_signed_headers("/twilio/messages", form))
    assert response.status_code == 200, response.text


def _login(client: ASGIClient, account: Account) -> tuple[str, str]:
    """Log in through the real form (password and a TOTP code); the session cookie and CSRF token."""
    page = client.get("/inbox/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    form = {
        "username": account.username,
        "password": account.password,
        "code": account.code(),
        "csrf_token": found.group(1),
    }
    response = client.post("/inbox/login", data=form, allow_redirects=False)
    assert response.status_code == 303, response.text
    session = client.cookies.get(SESSION_COOKIE)
    assert session
    page = client.get("/inbox")
    csrf = re.search(r'data-csrf="([^"]+)"', page.text)
    assert csrf, page.text
    return session, csrf.group(1)


def _seed(app: Any, own: Stack, admin: Account, db: Database) -> Seeded:
    # Fixed (07911 numbers are valid), so a run is the same run every time.
    phones = [f"+4479111234{n:02d}" for n in range(50, 56)]
    # https, as the public address is: the client's cookie jar then keeps the Secure cookies.
    with ASGIClient(app, base_url="https://testserver") as client:
        for i, phone in enumerate(phones):
            _inbound(client, phone, "hello, I need some help", whatsapp=i >= 4)
        rows = db.rows(
            "SELECT c.id, p.id AS contact, p.phone FROM conversations c JOIN contacts p"
            " ON c.contact_id = p.id ORDER BY c.id"
        )
        by_phone = {row["phone"]: row for row in rows}
        now = datetime.now(UTC)
        # Waiting with a safety flag, waiting, with a practitioner: every owner's paths.
        db.execute(
            "UPDATE conversations SET owner = 'waiting', waiting_since = :t, safety_flag = 'self_harm',"
            " safety_flagged_at = :t WHERE id = :i",
            t=now,
            i=by_phone[phones[1]]["id"],
        )
        db.execute(
            "UPDATE conversations SET owner = 'waiting', waiting_since = :t WHERE id = :i",
            t=now,
            i=by_phone[phones[2]]["id"],
        )
        practitioner = db.rows("SELECT id FROM practitioners WHERE role = 'practitioner'")[0]["id"]
        db.execute(
            "UPDATE conversations SET owner = 'human', assigned_to_id = :p, waiting_since = :t WHERE id = :i",
            p=practitioner,
            t=now,
            i=by_phone[phones[3]]["id"],
        )
        references = []
        for n, phone in enumerate(phones[:4]):
            reference = f"SC{n}-T{n}X"
            references.append(reference)
            db.execute(
                "INSERT INTO referrals (reference, draft_id, contact_id, conversation_id, language, area,"
                " answers, status, created_at, updated_at)"
                " VALUES (:r, :d, :c, :v, 'en', 'newham', :a, 'new', :t, :t)",
                r=reference,
                d=f"schema-{n}",
                c=by_phone[phone]["contact"],
                v=by_phone[phone]["id"],
                a=json.dumps(
                    {"first_name": "Sam", "contact_ways": ["sms", "whatsapp"], "contact_times": ["any"]}
                ),
                t=now,
            )
        for phone in phones[4:]:
            db.execute(
                "INSERT INTO erasure_requests (contact_id, requested_at, status) VALUES (:c, :t, 'pending')",
                c=by_phone[phone]["contact"],
                t=now,
            )
        day = (datetime.now(LONDON) + timedelta(days=5)).date().isoformat()
        appointments = []  # two for the JSON API, two for the inbox (cancelling is final)
        for phone in (*phones[:2], *phones[:2]):
            booked = client.post(
                "/api/appointments",
                json={
                    "phone": phone,
                    "starts_at": f"{day}T14:30:00",
                    "kind": "gp",
                    "place": "Green Street Surgery",
                    "with_whom": "Sam",
                    "by": "Amina",
                },
                headers={"Authorization": f"Bearer {PRACTITIONER_TOKEN}"},
            )
            assert booked.status_code == 201, booked.text
            appointments.append(booked.json()["id"])
        session, csrf = _login(client, admin)
    return Seeded(
        env=own.env,
        phones=phones,
        conversations=[row["id"] for row in rows],
        references=references,
        appointments=appointments,
        erasure_requests=[r["id"] for r in db.rows("SELECT id FROM erasure_requests")],
        practitioners=[r["id"] for r in db.rows("SELECT id FROM practitioners")],
        admin_id=db.rows("SELECT id FROM practitioners WHERE username = :u", u=admin.username)[0]["id"],
        session=session,
        csrf=csrf,
    )


def _config(seeded: Seeded) -> schemathesis.Config:
    """Fixed seed, bounded examples, and real ids and plausible values mixed into generated ones
    (each used for that share of the parameter's examples), so requests get past "no such
    conversation" and "not a date" to the rules behind them."""
    days = [(datetime.now(LONDON) + timedelta(days=n)).date() for n in (4, 9)]
    mixed = 0.75
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
            "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
            "dictionaries": {
                "conversations": {"values": [*seeded.conversations, 0, -1]},
                "appointments": {"values": seeded.appointments[:2]},
                "inbox_appointments": {"values": seeded.appointments[2:]},
                "erasures": {"values": seeded.erasure_requests},
                "practitioners": {"values": seeded.practitioners},
                # As stored, and as a person might type one.
                "references": {
                    "values": [*seeded.references, seeded.references[0].lower().replace("-", " ")]
                },
                "phones": {"values": [*seeded.phones, f"whatsapp:{seeded.phones[4]}", seeded.phones[0][3:]]},
                "kinds": {"values": list(KINDS)},
                "places": {"values": ["Green Street Surgery", "07911 123456"]},
                # Plausible times, and the calendar's edges with a zone that pushes them past it.
                "starts": {
                    "values": [
                        f"{days[0]}T14:30:00",
                        f"{days[1]}T09:15:00+01:00",
                        f"{days[1]}T23:30:00Z",
                        "0001-01-01T00:00:00+14:00",
                        "9999-12-31T23:59:59-12:00",
                    ]
                },
                "days": {"values": [d.isoformat() for d in days]},
                "clock": {"values": ["14:30", "09:05", "22:00"]},
                "texts": {"values": ["Hello, this is Sam from the team.", "/wait"]},
                "canned": {"values": list(CANNED_KEYS)},
                "statuses": {"values": sorted(s.value for s in ProviderStatus)},
                # Our message id in a status callback's address: real ones, and ones that cannot be.
                "message_ids": {"values": ["1", "2", "0", "²", "99999999999999999999", "1" * 5000]},
            },
            "parameters": {
                "path.conversation_id": {"dictionary": "conversations", "probability": 0.6},
                "path.appointment_id": {"dictionary": "appointments", "probability": 0.6},
                "path.request_id": {"dictionary": "erasures", "probability": 0.6},
                "path.reference": {"dictionary": "references", "probability": 0.6},
                "query.phone": {"dictionary": "phones", "probability": 0.6},
                "query.to": {"dictionary": "phones", "probability": 0.6},
                "body.phone": {"dictionary": "phones", "probability": 0.6},
                "body.From": {"dictionary": "phones", "probability": mixed},
                "body.practitioner_id": {"dictionary": "practitioners", "probability": 0.6},
                "body.kind": {"dictionary": "kinds", "probability": mixed},
                "body.place": {"dictionary": "places", "probability": mixed},
                "body.starts_at": {"dictionary": "starts", "probability": mixed},
                "body.day": {"dictionary": "days", "probability": mixed},
                "body.at": {"dictionary": "clock", "probability": mixed},
                "body.text": {"dictionary": "texts", "probability": mixed},
                "body.canned": {"dictionary": "canned", "probability": 0.2},
                "query.m": {"dictionary": "message_ids", "probability": mixed},
                "body.MessageStatus": {"dictionary": "statuses", "probability": mixed},
            },
            "operations": [
                {
                    "include-path-regex": "^/inbox/",
                    "parameters": {
                        "path.appointment_id": {"dictionary": "inbox_appointments", "probability": 0.6}
                    },
                }
            ],
        }
    )


@pytest.fixture(scope="module")
def seeded_app(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Seeded]]:
    if "redis" in stack.services:
        stack.start_service("redis")  # a test before may have stopped it; a no-op if it runs
    var = tmp_path_factory.mktemp("schema")
    redis_url = _redis_url(stack.env["REDIS_URL"], REDIS_DB)
    # Never started: it gives this module's environment, migrate() and the admin command.
    own = Stack(
        StackConfig(
            env={**stack.config.env, "DATABASE_URL": f"sqlite:///{var}/schema.db"},
            var_dir=var,
            rasa_port=stack.config.rasa_port,
            actions_port=stack.config.actions_port,
            redis_url=redis_url,
        )
    )
    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
    own.migrate()
    admin = make_account(own, "admin")
    make_account(own, "practitioner")
    app = create_app(_settings(own.env))
    try:
        yield app, _seed(app, own, admin, Database(own.env["DATABASE_URL"]))
    finally:
        shutdown_lifespans()
        with redis.Redis.from_url(redis_url) as client:
            client.flushdb()


@pytest.fixture(scope="module")
def seeded(seeded_app: tuple[Any, Seeded]) -> Seeded:
    return seeded_app[1]


@pytest.fixture(scope="module")
def api_schema(seeded_app: tuple[Any, Seeded]) -> schemathesis.BaseSchema:
    app, seeded = seeded_app
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=_config(seeded))


def _fresh_session(seeded: Seeded) -> tuple[str, str]:
    """A new session for the admin, straight in the session store: logging out ends one."""

    async def create() -> tuple[str, str]:
        client = AsyncRedis.from_url(seeded.env["REDIS_URL"])
        try:
            token, session = await SessionStore(client, 1800, 36000).create(seeded.admin_id, "admin")
            return token, session.csrf
        finally:
            await client.aclose()

    return asyncio.run(create())


def _credentials(case: Case, seeded: Seeded) -> dict[str, Any]:
    """What a real caller of this operation sends: token, session and CSRF, or a signature."""
    path = case.path
    if path.startswith("/api/"):
        return {"headers": {"Authorization": f"Bearer {PRACTITIONER_TOKEN}"}}
    if path.startswith("/twilio/"):
        # Signed as Twilio signs: the public address with the query, and every form field.
        form, query = case.body, case.query or {}
        if _all_text(form) and _all_text(query):
            address = path + (f"?{urlencode(query)}" if query else "")
            return {"headers": _signed_headers(address, form)}
        return {}
    if path == "/inbox/login":
        if case.method == "POST" and isinstance(case.body, dict):
            # The login form's own CSRF pair (cookie and field), so the name, password and code
            # are checked (throttled, Argon2id) rather than refused at the door.
            token = secrets.token_urlsafe(24)
            case.body["csrf_token"] = token
            return {"cookies": {cookie_name("inbox_login", secure=True): token}}
        return {}
    if path.startswith("/inbox"):
        session, csrf = _fresh_session(seeded) if path == "/inbox/logout" else (seeded.session, seeded.csrf)
        # As a browser: errors come as pages, and a lost session as a redirect to the login page.
        headers = {"X-CSRF-Token": csrf, "Accept": "text/html"}
        return {"cookies": {SESSION_COOKIE: session}, "headers": headers}
    return {}


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """Schemathesis 4.32.5's `from_fixture` reads `node._nodeid`, which pytest 9.2 no longer has
    (it keeps `nodeid` only); give it one, or every test here fails with an AttributeError."""
    node: Any = request.node
    if not hasattr(node, "_nodeid"):
        node._nodeid = node.nodeid


# /inbox/events is a live event stream that never ends (Redis pub/sub): excluded everywhere.
@HYPOTHESIS
@schema.exclude(path="/inbox/events").parametrize()
def test_every_operation_answers_as_documented(case: Case, seeded: Seeded) -> None:
    response = case.call_and_validate(checks=CHECKS, allow_redirects=False, **_credentials(case, seeded))
    ANSWERS.setdefault(case.operation.label, Counter())[response.status_code] += 1


@HYPOTHESIS
@schema.include(path_regex="^/twilio/").parametrize()
def test_unsigned_webhooks_are_refused(case: Case) -> None:
    response = case.call_and_validate(checks=CHECKS, allow_redirects=False)
    if case.method.upper() != case.operation.method.upper():
        # The coverage phase also tries other methods on the path.
        assert response.status_code == 405, response.text
    else:
        assert response.status_code in (403, 413), response.text


# /inbox/login is public (the first test sends it what a logged-out browser would).
@HYPOTHESIS
@(
    schema.include(path_regex="^/(api|inbox)(/|$)")
    .exclude(path="/inbox/events")
    .exclude(path="/inbox/login")
    .parametrize()
)
def test_no_credentials_no_way_in(case: Case) -> None:
    response = case.call_and_validate(checks=CHECKS, allow_redirects=False)
    assert not 200 <= response.status_code < 300, response.text


def test_the_requests_got_past_the_door() -> None:
    """Guards the guard: if the token, the session, the CSRF token or the signature stopped
    working, every answer above would be a documented refusal and that test would still pass."""
    if not ANSWERS:
        pytest.skip("only after test_every_operation_answers_as_documented")
    if os.environ.get("SCHEMA_TEST_REPORT"):
        Path(os.environ["SCHEMA_TEST_REPORT"]).write_text(json.dumps(ANSWERS, indent=1, sort_keys=True))
    door = {401, 403, 405}  # 405: the coverage phase's other methods
    stuck = {op: dict(codes) for op, codes in ANSWERS.items() if not set(codes) - door}
    assert not stuck, f"only ever refused at the door: {stuck}"
    for op in ("POST /twilio/messages", "POST /twilio/status"):
        assert ANSWERS[op][200], f"no signed webhook was taken: {op} {dict(ANSWERS[op])}"
