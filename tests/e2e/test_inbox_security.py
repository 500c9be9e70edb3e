"""The inbox's hardening (ASVS 5.0 level 2), over real HTTP against the running system.

Throttling that counts before it checks and cannot lock a person out; owner-only actions;
banners from fixed codes; the event stream and live refreshes against the session; https
cookies and HSTS; exports not cached; the audit log's source address; passwords changed
and reset. docs/security.md lists which requirement each test proves.

The test stack's gateway trusts X-Forwarded-For from 127.0.0.1 (uvicorn --proxy-headers,
FORWARDED_ALLOW_IPS' default), as it would a TLS proxy on the same machine: that is how
these tests come "from" different addresses.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import pyotp
import pytest
import redis

from scripts.stack import APP_BIN, ROOT, Stack
from tests.conftest import PRACTITIONER_TOKEN
from tests.inbox_support import Account, InboxClient, logged_in, make_account
from tests.support import Database, Gateway, Resident, converse

pytestmark = pytest.mark.stack

SESSION = "__Host-inbox_session"
DEVICE = "__Host-inbox_device"
LOGIN = "__Host-inbox_login"
WRONG = "not the password at all"


@dataclass
class From(InboxClient):
    """A browser at one address (as a trusted proxy reports it)."""

    address: str = "198.51.100.1"

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"X-Forwarded-For": self.address, **kwargs.pop("headers", {})}
        return super().request(method, path, headers=headers, **kwargs)


def conversation_id(db: Database, resident: Resident) -> int:
    [row] = db.rows(
        "SELECT c.id FROM conversations c JOIN contacts p ON c.contact_id = p.id WHERE p.phone = :p",
        p=resident.number,
    )
    return int(row["id"])


def audit_rows(db: Database, actor: str) -> list[dict[str, Any]]:
    return db.rows("SELECT action, note, source FROM audit_events WHERE actor = :a ORDER BY id", a=actor)


def session_key(client: InboxClient) -> str:
    return "inbox:session:" + hashlib.sha256(client.cookies[SESSION].encode()).hexdigest()


@pytest.fixture
def admin(stack: Stack) -> Account:
    return make_account(stack, "admin", "Ada Admin")


@pytest.fixture
def waiting(healthy: Stack, gateway: Gateway, db: Database) -> int:
    resident = Resident(gateway)
    converse(resident, db, "0")
    return conversation_id(db, resident)


def test_parallel_wrong_passwords_are_counted_before_they_are_checked(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    """Before: 40 parallel wrong passwords all got 401 (each checked the count before any
    failure was added). Now 5 are checked and 35 are refused unchecked, and the audit log
    has one row for the throttling, with the address."""
    account = make_account(healthy)
    clients = [From(gateway.base_url, address="203.0.113.40") for _ in range(40)]
    tokens = [c.login_form() for c in clients]
    start = threading.Barrier(40)
    codes: list[int] = []

    def attempt(client: From, token: str) -> None:
        form = {"username": account.username, "password": WRONG, "code": "123456", "csrf_token": token}
        start.wait()
        codes.append(client.request("POST", "/inbox/login", data=form).status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(set(codes)) == [401, 429]
    assert codes.count(401) == 5 and codes.count(429) == 35
    rows = audit_rows(db, account.username)
    assert [r["action"] for r in rows].count("login_failed") == 5
    [throttled] = [r for r in rows if r["action"] == "login_throttled"]
    assert (throttled["note"], throttled["source"]) == ("pair limit", "203.0.113.40")
    assert all(r["source"] == "203.0.113.40" for r in rows if r["action"] == "login_failed")


def test_a_stranger_who_knows_the_name_cannot_lock_the_person_out(healthy: Stack, gateway: Gateway) -> None:
    """Before: five wrong passwords from anywhere paused the name for everyone."""
    person = make_account(healthy)
    at_work = From(gateway.base_url, address="198.51.100.20")
    assert at_work.login(person).status_code == 303
    assert at_work.post("/inbox/logout").status_code == 303
    # Someone tries the name from 4 addresses, 5 times each (each pair's limit): 20 tries use up
    # the name's allowance for new places.
    tries = [
        From(gateway.base_url, address=f"203.0.113.{n + 1}").login(person, password=WRONG, code="123456")
        for n in range(4)
        for _ in range(5)
    ]
    # The person's own browser gets in from anywhere, and so does their usual address.
    at_work.address = "192.0.2.77"
    assert at_work.login(person).status_code == 303
    assert From(gateway.base_url, address="198.51.100.20").login(person).status_code == 303
    assert DEVICE in at_work.cookies
    assert [t.status_code for t in tries] == [401] * 20
    stranger = From(gateway.base_url, address="203.0.113.99").login(person, password=WRONG, code="123456")
    assert stranger.status_code == 429 and "from new places" in stranger.text
    # Even with the right password and code, a new place must wait (refused unchecked, so the
    # code is not used up).
    fresh = pyotp.TOTP(person.secret).now()
    assert From(gateway.base_url, address="192.0.2.50").login(person, code=fresh).status_code == 429


def test_login_and_logout_are_audited_with_the_source_address(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    account = make_account(healthy)
    client = From(gateway.base_url, address="198.51.100.7")
    assert client.login(account, password=WRONG, code="123456").status_code == 401
    assert client.login(account).status_code == 303
    assert client.post("/inbox/logout").status_code == 303
    assert audit_rows(db, account.username) == [
        {"action": "login_failed", "note": None, "source": "198.51.100.7"},
        {"action": "login", "note": None, "source": "198.51.100.7"},
        {"action": "logout", "note": None, "source": "198.51.100.7"},
    ]


def test_an_oversized_login_form_is_refused_before_it_is_read(healthy: Stack, gateway: Gateway) -> None:
    client = InboxClient(gateway.base_url)
    token = client.login_form()
    answer = client.request(
        "POST", "/inbox/login", data={"username": "x", "password": "p" * 100_000, "csrf_token": token}
    )
    assert answer.status_code == 413
    # The longest password the form takes, in a script that needs three bytes a character,
    # still gets to the check.
    longest = client.request(
        "POST", "/inbox/login", data={"username": "x", "password": "\u0995" * 1024, "csrf_token": token}
    )
    assert longest.status_code == 401


def test_https_cookies_have_the_host_prefix_and_every_answer_has_hsts(
    healthy: Stack, gateway: Gateway
) -> None:
    account = make_account(healthy)
    client = InboxClient(gateway.base_url)
    form = client.get("/inbox/login")
    assert form.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert LOGIN in client.cookies
    response = client.login(account)
    assert response.status_code == 303
    set_cookies = response.headers.get_list("set-cookie")
    for name in (SESSION, DEVICE):
        [header] = [h for h in set_cookies if h.startswith(name + "=")]
        assert "Secure" in header and "Path=/" in header and "Domain" not in header
        assert "HttpOnly" in header
    assert "inbox_session" not in [c.split("=")[0] for c in set_cookies]
    assert client.get("/inbox").headers["strict-transport-security"].startswith("max-age=31536000")
    # A cookie without the prefix is not a session.
    plain = InboxClient(gateway.base_url, cookies={"inbox_session": client.cookies[SESSION]})
    assert plain.get("/inbox").headers.get("location") == "/inbox/login"


def test_handing_back_and_clearing_a_flag_need_the_owner_or_an_admin(
    healthy: Stack, gateway: Gateway, db: Database, admin: Account
) -> None:
    """Before: anyone on the team could do both, on a conversation they did not have."""
    resident = Resident(gateway)
    converse(resident, db, "he is outside my door with a knife")
    cid = conversation_id(db, resident)
    first, second = make_account(healthy), make_account(healthy)
    one, two = logged_in(gateway.base_url, first), logged_in(gateway.base_url, second)
    note = {"note": "Spoke to her by phone; she is safe."}
    # Waiting: nobody has it yet, so only an admin may.
    assert one.post(f"/inbox/conversations/{cid}/handback").status_code == 403
    assert one.post(f"/inbox/conversations/{cid}/safety/clear", note).status_code == 403
    page = one.get(f"/inbox/conversations/{cid}").text
    assert "Hand back to the bot" not in page and "claim this conversation first" in page
    # The one who claims it may; the other may not.
    assert one.post(f"/inbox/conversations/{cid}/claim").status_code == 303
    assert two.post(f"/inbox/conversations/{cid}/safety/clear", note).status_code == 403
    assert two.post(f"/inbox/conversations/{cid}/handback").status_code == 403
    [row] = db.rows("SELECT owner, safety_flag FROM conversations WHERE id = :i", i=cid)
    assert row == {"owner": "human", "safety_flag": "immediate_danger"}
    assert one.post(f"/inbox/conversations/{cid}/safety/clear", note).status_code == 303
    assert one.post(f"/inbox/conversations/{cid}/handback").status_code == 303
    [row] = db.rows("SELECT owner, safety_flag FROM conversations WHERE id = :i", i=cid)
    assert row == {"owner": "bot", "safety_flag": None}
    # An admin may on a waiting conversation.
    other = Resident(gateway)
    converse(other, db, "0")
    boss = logged_in(gateway.base_url, admin)
    assert boss.post(f"/inbox/conversations/{conversation_id(db, other)}/handback").status_code == 303


def test_banners_show_only_fixed_texts_never_words_from_the_address(
    healthy: Stack, gateway: Gateway, waiting: int, admin: Account
) -> None:
    inbox = logged_in(gateway.base_url, admin)
    spoof = inbox.get(
        f"/inbox/conversations/{waiting}",
        params={"error": "Your account is locked. Call 0800 000 000", "done": "Password expired"},
    )
    assert spoof.status_code == 200
    assert "0800 000 000" not in spoof.text and "Password expired" not in spoof.text
    known = inbox.get(f"/inbox/conversations/{waiting}", params={"error": "no_flag", "done": "claimed"})
    assert "This conversation has no safety flag." in known.text
    assert "You have this conversation now." in known.text
    # The actions send codes.
    empty = inbox.post(f"/inbox/conversations/{waiting}/notes", {"body": " "})
    assert empty.headers["location"] == f"/inbox/conversations/{waiting}?error=empty_note"


def _stream(client: InboxClient, base_url: str, seen: list[str], stop: threading.Event) -> None:
    headers = {
        "Accept": "text/event-stream",
        "Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items()),
    }
    try:
        with httpx.stream("GET", base_url + "/inbox/events", headers=headers, timeout=30) as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    seen.append(line.split(":", 1)[1].strip())
                if stop.is_set():
                    return
        seen.append("(closed)")
    except httpx.HTTPError:
        seen.append("(error)")


def test_the_event_stream_ends_at_logout(healthy: Stack, gateway: Gateway, admin: Account) -> None:
    """Before: a stream opened before logout went on delivering events afterwards."""
    inbox = logged_in(gateway.base_url, admin)
    seen: list[str] = []
    stop = threading.Event()
    listener = threading.Thread(target=_stream, args=(inbox, gateway.base_url, seen, stop), daemon=True)
    listener.start()
    deadline = time.monotonic() + 10
    while "ready" not in seen and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seen == ["ready"]
    logged_out = time.monotonic()
    assert inbox.post("/inbox/logout").status_code == 303
    listener.join(timeout=8)
    stop.set()
    assert seen == ["ready", "ended", "(closed)"]
    assert time.monotonic() - logged_out < 8


def test_live_refreshes_do_not_keep_a_session_alive(
    healthy: Stack, gateway: Gateway, waiting: int, admin: Account
) -> None:
    """Before: every fragment fetch and the event stream moved the idle deadline, so an open
    page never timed out."""
    inbox = logged_in(gateway.base_url, admin)
    store = redis.Redis.from_url(healthy.env["REDIS_URL"])
    key = session_key(inbox)
    seen_before = json.loads(store.get(key) or b"{}")["seen"]
    store.expire(key, 100)
    for path in ("/inbox?part=queue", f"/inbox/conversations/{waiting}?part=transcript"):
        assert inbox.get(path).status_code == 200
    seen: list[str] = []
    stop = threading.Event()
    listener = threading.Thread(target=_stream, args=(inbox, gateway.base_url, seen, stop), daemon=True)
    listener.start()
    time.sleep(1.5)
    assert "ready" in seen
    assert 0 < store.ttl(key) <= 100
    assert json.loads(store.get(key) or b"{}")["seen"] == seen_before
    # A person's request moves it on.
    assert inbox.get("/inbox").status_code == 200
    assert store.ttl(key) > 1000
    stop.set()
    store.close()


def test_exports_and_the_audit_log_are_never_cached(
    healthy: Stack, gateway: Gateway, waiting: int, admin: Account, db: Database
) -> None:
    boss = logged_in(gateway.base_url, admin)
    exported = boss.get(f"/inbox/conversations/{waiting}/export")
    assert exported.status_code == 200 and exported.headers["cache-control"] == "no-store"
    assert boss.get("/inbox/audit").headers["cache-control"] == "no-store"
    [row] = db.rows(
        "SELECT p.phone FROM contacts p JOIN conversations c ON c.contact_id = p.id WHERE c.id = :i",
        i=waiting,
    )
    resident = httpx.post(
        gateway.base_url + "/api/residents/export",
        json={"phone": row["phone"]},
        headers={"Authorization": f"Bearer {PRACTITIONER_TOKEN}"},
    )
    assert resident.status_code == 200 and resident.headers["cache-control"] == "no-store"
    assert [r["source"] for r in audit_rows(db, admin.username) if r["action"] == "export"] == ["127.0.0.1"]


def test_a_practitioner_changes_their_own_password(healthy: Stack, gateway: Gateway, db: Database) -> None:
    account = make_account(healthy)
    here, elsewhere = logged_in(gateway.base_url, account), logged_in(gateway.base_url, account)
    form = "/inbox/account/password"
    page = here.get("/inbox/account")
    assert page.status_code == 200 and "Change your password" in page.text
    new = "violet harbour lantern 7"
    wrong = here.post(form, {"current": WRONG, "new": new, "again": new})
    assert wrong.status_code == 422 and "current password is not right" in wrong.text
    common = here.post(form, {"current": account.password, "new": "password1234", "again": "password1234"})
    assert common.status_code == 422 and "common" in common.text
    short = here.post(form, {"current": account.password, "new": "short one", "again": "short one"})
    assert short.status_code == 422 and "at least 12" in short.text
    differ = here.post(form, {"current": account.password, "new": new, "again": new + "x"})
    assert differ.status_code == 422
    assert (
        here.post(form, {"current": account.password, "new": new, "again": new}, csrf=False).status_code
        == 403
    )
    done = here.post(form, {"current": account.password, "new": new, "again": new})
    assert done.status_code == 303 and done.headers["location"] == "/inbox/account?done=password_changed"
    # This browser has a new session; every other session has ended.
    assert here.get("/inbox").status_code == 200
    assert elsewhere.get("/inbox").headers.get("location") == "/inbox/login"
    assert InboxClient(gateway.base_url).login(account).status_code == 401
    account.password = new
    assert InboxClient(gateway.base_url).login(account).status_code == 303
    assert "password_changed" in [r["action"] for r in audit_rows(db, account.username)]


def _reset(stack: Stack, username: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(APP_BIN / "python"),
            "-m",
            "api.admin",
            "reset-password",
            "--username",
            username,
            "--password-stdin",
        ],
        input=password + "\n",
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_admin_resets_a_password_at_the_command_line(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    account = make_account(healthy)
    inbox = logged_in(gateway.base_url, account)
    refused = _reset(healthy, account.username, "qwerty123456")
    assert refused.returncode != 0 and "common" in (refused.stderr + refused.stdout)
    assert inbox.get("/inbox").status_code == 200  # nothing changed
    done = _reset(healthy, account.username, "copper meadow signal 42")
    assert done.returncode == 0, done.stderr
    assert re.search(r"1 session\(s\) ended", done.stdout)
    assert inbox.get("/inbox").headers.get("location") == "/inbox/login"
    assert InboxClient(gateway.base_url).login(account).status_code == 401
    account.password = "copper meadow signal 42"
    assert InboxClient(gateway.base_url).login(account).status_code == 303
    [row] = db.rows(
        "SELECT actor, note FROM audit_events WHERE action = 'password_reset' AND note = :u",
        u=account.username,
    )
    assert row["actor"] == "admin (command line)"


def test_refused_actions_are_in_the_audit_log(
    healthy: Stack, gateway: Gateway, db: Database, waiting: int
) -> None:
    """Before: a 403 was answered and forgotten."""
    account = make_account(healthy)
    inbox = From(gateway.base_url, address="198.51.100.9")
    assert inbox.login(account).status_code == 303
    assert inbox.post(f"/inbox/conversations/{waiting}/handback").status_code == 403
    assert inbox.post(f"/inbox/conversations/{waiting}/assign", {"practitioner_id": "1"}).status_code == 403
    assert inbox.post(f"/inbox/conversations/{waiting}/claim", {"csrf_token": "forged"}).status_code == 403
    assert inbox.get("/inbox/audit").status_code == 403
    refused = [r for r in audit_rows(db, account.username) if r["action"] == "access_refused"]
    assert [r["note"] for r in refused] == [
        "hand it back to the bot",
        "assign",
        f"no or a wrong CSRF token: POST /inbox/conversations/{waiting}/claim",
        "admin only: /inbox/audit",
    ]
    assert {r["source"] for r in refused} == {"198.51.100.9"}
    [row] = db.rows("SELECT owner FROM conversations WHERE id = :i", i=waiting)
    assert row["owner"] == "waiting"


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    """Only a trusted proxy (FORWARDED_ALLOW_IPS: 127.0.0.1 here) may say who the client is: a
    client at 127.0.0.2 that claims to be someone else is logged as itself."""
    account = make_account(healthy)
    client = From(gateway.base_url, address="203.0.113.250")
    client.http = httpx.Client(timeout=30, transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    assert client.login(account, password=WRONG, code="123456").status_code == 401
    assert audit_rows(db, account.username) == [
        {"action": "login_failed", "note": None, "source": "127.0.0.2"}
    ]


# ASVS 7.5.2: a person sees their own sessions and ends any of them.

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15"
)


@dataclass
class Browser(From):
    """A browser at one address that says what it is."""

    agent: str = FIREFOX

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"User-Agent": self.agent, **kwargs.pop("headers", {})}
        return super().request(method, path, headers=headers, **kwargs)


def browser(gateway: Gateway, account: Account, address: str, agent: str = FIREFOX) -> Browser:
    client = Browser(gateway.base_url, address=address, agent=agent)
    assert client.login(account).status_code == 303
    return client


def listed_sessions(client: InboxClient) -> dict[str, str]:
    """The sessions on "Your account": each one's id and the words shown for it."""
    page = client.get("/inbox/account")
    assert page.status_code == 200
    items = re.findall(r'<li class="session" data-session="([^"]+)">(.*?)</li>', page.text, re.S)
    return {sid: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip() for sid, text in items}


def open_stream(client: InboxClient, gateway: Gateway) -> tuple[list[str], threading.Thread]:
    seen: list[str] = []
    listener = threading.Thread(
        target=_stream, args=(client, gateway.base_url, seen, threading.Event()), daemon=True
    )
    listener.start()
    deadline = time.monotonic() + 10
    while "ready" not in seen and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seen == ["ready"]
    return seen, listener


def test_a_person_sees_their_sessions_and_ends_another_one_at_once(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    """Before: there was no list, and the only way to end a forgotten session was a password change."""
    account = make_account(healthy)
    desk = browser(gateway, account, "203.0.113.7", FIREFOX)
    laptop = browser(gateway, account, "198.51.100.2", SAFARI)
    listed = listed_sessions(desk)
    assert len(listed) == 2
    [(here, mine)] = [(sid, words) for sid, words in listed.items() if "this browser" in words]
    [(there, theirs)] = [(sid, words) for sid, words in listed.items() if sid != here]
    assert "Firefox on Windows" in mine and "from 203.0.113.7" in mine
    assert "Safari on macOS" in theirs and "from 198.51.100.2" in theirs and "this browser" not in theirs
    # The laptop's list is the same sessions, with "this browser" on its own.
    assert {sid for sid, words in listed_sessions(laptop).items() if "this browser" in words} == {there}
    seen, listener = open_stream(laptop, gateway)

    ended = time.monotonic()
    answer = desk.post("/inbox/account/sessions/end", {"session_id": there})
    assert answer.status_code == 303 and answer.headers["location"] == "/inbox/account?done=session_ended"
    listener.join(timeout=8)
    assert seen == ["ready", "ended", "(closed)"] and time.monotonic() - ended < 8
    gone = laptop.get("/inbox")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/inbox/login")
    assert desk.get("/inbox").status_code == 200
    assert list(listed_sessions(desk)) == [here]
    assert "That session has ended" in desk.get("/inbox/account?done=session_ended").text
    [row] = [r for r in audit_rows(db, account.username) if r["action"] == "session_ended"]
    assert row["source"] == "203.0.113.7" and "Safari on macOS" in row["note"]
    assert "198.51.100.2" in row["note"]
    with redis.Redis.from_url(healthy.env["REDIS_URL"]) as store:
        [person] = db.rows("SELECT id FROM practitioners WHERE username = :u", u=account.username)
        index = {m.decode() for m in store.smembers(f"inbox:user-sessions:{person['id']}")}
        assert index == {session_key(desk).removeprefix("inbox:session:")}


def test_a_person_ends_all_their_other_sessions(healthy: Stack, gateway: Gateway, db: Database) -> None:
    account = make_account(healthy)
    here = browser(gateway, account, "203.0.113.8")
    others = [browser(gateway, account, f"198.51.100.{n}", SAFARI) for n in (3, 4)]
    someone_else = logged_in(gateway.base_url, make_account(healthy))
    assert len(listed_sessions(here)) == 3
    seen, listener = open_stream(others[0], gateway)
    answer = here.post("/inbox/account/sessions/end-others")
    assert answer.status_code == 303 and answer.headers["location"] == "/inbox/account?done=others_ended"
    listener.join(timeout=8)
    assert seen == ["ready", "ended", "(closed)"]
    for other in others:
        assert other.get("/inbox").status_code == 303
    assert here.get("/inbox").status_code == 200
    assert someone_else.get("/inbox").status_code == 200
    assert len(listed_sessions(here)) == 1
    [row] = [r for r in audit_rows(db, account.username) if r["action"] == "other_sessions_ended"]
    assert row == {"action": "other_sessions_ended", "note": "2 ended", "source": "203.0.113.8"}
    # Ending this browser's own session from the list is a logout.
    [own] = listed_sessions(here)
    out = here.post("/inbox/account/sessions/end", {"session_id": own})
    assert out.status_code == 303 and out.headers["location"] == "/inbox/login?bye=1"
    assert here.get("/inbox").status_code == 303
    assert audit_rows(db, account.username)[-1]["action"] == "logout"


def test_nobody_ends_another_persons_session(healthy: Stack, gateway: Gateway, db: Database) -> None:
    alice, bob = make_account(healthy), make_account(healthy)
    mallory = browser(gateway, alice, "203.0.113.9")
    victim = browser(gateway, bob, "198.51.100.5")
    [bobs] = listed_sessions(victim)
    refused = mallory.post("/inbox/account/sessions/end", {"session_id": bobs})
    assert refused.status_code == 404
    assert victim.get("/inbox").status_code == 200
    assert [bobs] == list(listed_sessions(victim))
    row = audit_rows(db, alice.username)[-1]
    assert row["action"] == "access_refused" and row["source"] == "203.0.113.9"
    assert "not theirs" in row["note"] and bobs not in row["note"]
    # "End all others" touches only one's own; without the CSRF token nothing ends at all.
    assert mallory.post("/inbox/account/sessions/end-others").status_code == 303
    assert victim.get("/inbox").status_code == 200
    own = browser(gateway, bob, "198.51.100.6")
    assert own.post("/inbox/account/sessions/end", {"session_id": bobs}, csrf=False).status_code == 403
    assert own.post("/inbox/account/sessions/end-others", csrf=False).status_code == 403
    assert victim.get("/inbox").status_code == 200
    # Bob does not see Alice's session, nor Alice Bob's.
    assert len(listed_sessions(own)) == 2 and len(listed_sessions(mallory)) == 1
    assert own.post("/inbox/account/sessions/end", {"session_id": ""}).status_code == 422
