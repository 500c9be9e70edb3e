"""The internal services ask for credentials (issue 18): Redis, Rasa and the action server.

Each is reachable on this machine, so each must refuse a caller that does not hold its secret;
and no secret may appear on a process's command line, which every local user can read
(/proc/<pid>/cmdline, `ps`), unlike its environment.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import redis

from scripts.stack import Stack
from tests.support import session_processes

pytestmark = pytest.mark.stack

#: Settings whose values are secrets, by name.
SECRET_MARKERS = ("TOKEN", "PASSWORD", "SECRET")


def _secrets(stack: Stack) -> dict[str, str]:
    found = {
        name: value
        for name, value in stack.env.items()
        if any(marker in name for marker in SECRET_MARKERS) and len(value) >= 6
    }
    password = urlsplit(stack.env["REDIS_URL"]).password
    assert password, "the system's Redis has no password"
    found["REDIS_URL password"] = password
    return found


def test_redis_refuses_a_client_without_the_password(healthy: Stack) -> None:
    url = urlsplit(healthy.env["REDIS_URL"])
    with redis.Redis(host=url.hostname or "", port=url.port or 6379, socket_timeout=2) as anonymous:
        with pytest.raises(redis.AuthenticationError):
            anonymous.set("intruder", "1")
    with redis.Redis(
        host=url.hostname or "", port=url.port or 6379, password="not-the-password", socket_timeout=2
    ) as wrong:
        with pytest.raises(redis.AuthenticationError):
            wrong.ping()
    with redis.Redis.from_url(healthy.env["REDIS_URL"], socket_timeout=2) as client:
        assert client.ping()
        assert client.exists("intruder") == 0


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("headers", [{}, _bearer("not-the-token"), {"Authorization": "not-a-bearer"}])
def test_rasa_refuses_requests_without_its_token(healthy: Stack, headers: dict[str, str]) -> None:
    rasa = healthy.urls()["rasa"]
    token = healthy.env["RASA_TOKEN"]
    with httpx.Client(timeout=30) as client:
        turn = client.post(
            f"{rasa}/webhooks/rest/webhook", json={"sender": "intruder", "message": "hello"}, headers=headers
        )
        assert turn.status_code in (401, 403)
        tracker = client.get(f"{rasa}/conversations/intruder/tracker", headers=headers)
        assert tracker.status_code in (401, 403)
        # Nothing reached the bot: the conversation it would have made is empty.
        check = client.get(f"{rasa}/conversations/intruder/tracker", headers=_bearer(token))
        assert check.status_code == 200
        assert [e for e in check.json()["events"] if e["event"] == "user"] == []


def test_rasa_answers_with_its_token_in_the_header(healthy: Stack) -> None:
    rasa = healthy.urls()["rasa"]
    with httpx.Client(timeout=30, headers=_bearer(healthy.env["RASA_TOKEN"])) as client:
        tracker = client.get(f"{rasa}/conversations/token-holder/tracker")
        assert tracker.status_code == 200
        assert tracker.json()["sender_id"] == "token-holder"
        turn = client.post(
            f"{rasa}/webhooks/rest/webhook", json={"sender": "token-holder", "message": "hello"}
        )
        assert turn.status_code == 200
        assert isinstance(turn.json(), list)


@pytest.mark.parametrize("headers", [{}, _bearer("not-the-token")])
def test_the_action_server_refuses_calls_without_the_shared_token(
    healthy: Stack, headers: dict[str, str]
) -> None:
    actions = healthy.urls()["actions"]
    with httpx.Client(timeout=30) as client:
        assert client.post(f"{actions}/webhook", content=b"", headers=headers).status_code in (401, 403)
        assert client.get(f"{actions}/actions", headers=headers).status_code in (401, 403)
        # With the token the same empty call gets past the check (and is refused for its body).
        holder = _bearer(healthy.env["ACTION_SERVER_TOKEN"])
        assert client.post(f"{actions}/webhook", content=b"", headers=holder).status_code == 400
        assert client.get(f"{actions}/actions", headers=holder).status_code == 200


def _listening(port: int) -> list[str]:
    """The local addresses of every TCP socket listening on `port` (IPv4 and IPv6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.append(address)
    return found


def test_the_action_server_listens_on_loopback_only(healthy: Stack) -> None:
    port = urlsplit(healthy.urls()["actions"]).port or 0
    addresses = _listening(port)
    assert addresses, "nothing listens on the action server's port"
    # 0100007F is 127.0.0.1 in /proc's byte order; 0.0.0.0 or :: would be every address.
    assert set(addresses) == {"0100007F"}


def test_no_process_has_a_secret_on_its_command_line(healthy: Stack) -> None:
    secrets = _secrets(healthy)
    assert {"RASA_TOKEN", "ACTION_SERVER_TOKEN", "TWILIO_AUTH_TOKEN", "REDIS_URL password"} <= set(secrets)
    checked = 0
    for name, service in healthy.services.items():
        assert service.process is not None, name
        for pid in session_processes(service.process.pid):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            checked += 1
            leaked = [secret for secret, value in secrets.items() if value in cmdline]
            assert leaked == [], f"{name} (pid {pid}) has {leaked} on its command line"
    assert checked >= len(healthy.services)
