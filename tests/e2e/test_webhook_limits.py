"""The Twilio webhooks' limits, through the running gateway: bodies refused before they are read,
a client gone mid-body answered quietly, over-long ids refused instead of cut."""

from __future__ import annotations

import re
import secrets
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from api.gateway.signature import sign
from scripts.stack import Stack
from tests.support import Database, Gateway, Resident

pytestmark = pytest.mark.stack

MIB = 1024 * 1024
#: Far over the 256 KiB cap, and enough that reading it all would show in a process's peak RSS.
HUGE = 64 * MIB


def _gateway_processes(stack: Stack) -> list[Path]:
    process = stack.services["gateway"].process
    assert process is not None
    found = []
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text() if proc.name.isdigit() else ""
            if stat and int(stat.rsplit(")", 1)[1].split()[2]) == process.pid:  # field 5: process group
                found.append(proc)
        except (OSError, ValueError, IndexError):
            continue
    assert found
    return found


def _memory(processes: list[Path], field: str) -> int:
    """The sum of one /proc/<pid>/status memory field (VmRSS, VmHWM) over the processes, in bytes."""
    total = 0
    for proc in processes:
        for line in (proc / "status").read_text().splitlines():
            if line.startswith(field + ":"):
                total += int(line.split()[1]) * 1024
    return total


def _reset_peaks(processes: list[Path]) -> None:
    """Set each process's peak resident memory (VmHWM) back to its present size."""
    for proc in processes:
        (proc / "clear_refs").write_text("5")


def _connect(gateway: Gateway) -> socket.socket:
    address = urlsplit(gateway.base_url)
    return socket.create_connection((address.hostname or "127.0.0.1", address.port or 80), timeout=20)


def _answer(sock: socket.socket) -> bytes:
    """What the server answered, read until it closes the connection or the head and a short body are in."""
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < 10:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        data += chunk
    return data


def _post_huge(gateway: Gateway, path: str, chunked: bool) -> bytes:
    """POST a HUGE body (declared or chunked) while reading the answer as it comes."""
    sock = _connect(gateway)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {HUGE}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: gateway\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n{length}\r\n\r\n"
    )
    block = b"Body=" + b"a" * (MIB - 5)

    def write() -> None:
        try:
            sock.sendall(head.encode())
            for _ in range(HUGE // MIB):
                sock.sendall(b"%x\r\n%s\r\n" % (len(block), block) if chunked else block)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server stopped reading and closed: what we want

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        return _answer(sock)
    finally:
        sock.close()
        writer.join(20)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("path", ["/twilio/messages", "/twilio/status"])
def test_a_huge_body_is_refused_before_it_is_read(
    healthy: Stack, gateway: Gateway, path: str, chunked: bool
) -> None:
    processes = _gateway_processes(healthy)
    _reset_peaks(processes)
    before = _memory(processes, "VmRSS")
    answer = _post_huge(gateway, path, chunked)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"too large" in answer.lower()
    time.sleep(0.5)
    # Reading the body whole (the old way) raised a gateway process's peak by more than the body.
    assert _memory(processes, "VmHWM") - before < 16 * MIB


def test_a_client_gone_mid_body_leaves_no_error_in_the_log(healthy: Stack, gateway: Gateway) -> None:
    log = healthy.log_dir / "gateway.log"
    start = log.stat().st_size
    for path in ("/twilio/messages", "/twilio/status"):
        sock = _connect(gateway)
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: gateway\r\nContent-Length: 5000\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\nBody=hel".encode()
        )
        time.sleep(0.3)
        sock.close()
    time.sleep(1)
    # The gateway still answers, and logged the disconnects without an error or a traceback.
    assert gateway.client.get(gateway.base_url + "/healthz").status_code in (200, 503)
    with log.open("rb") as handle:
        handle.seek(start)
        written = handle.read().decode(errors="replace")
    assert not re.search(r"\bERROR\b|Traceback", written), written[-2000:]
    assert "before its body was complete" in written


def test_an_over_long_message_sid_is_refused_not_cut(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident = Resident(gateway)
    base = "SM" + secrets.token_hex(31)  # 64 characters: the longest we store
    assert resident.send("hello", sid=base).status_code == 200
    # Same first 64 characters: cut to the column size, it was taken for a duplicate and dropped.
    longer = resident.gateway.post_signed("/twilio/messages", resident.form("bye", sid=base + "X"))
    assert longer.status_code == 400
    assert longer.headers["content-type"].startswith("text/plain")
    assert "MessageSid" in longer.text and "64" in longer.text
    inbound = [m for m in db.messages_of(resident.number) if m["direction"] == "in"]
    assert [m["provider_sid"] for m in inbound] == [base]
    # Unsigned, it is still a 403: the signature is checked first.
    form = resident.form("bye", sid=base + "X")
    assert gateway.client.post(gateway.base_url + "/twilio/messages", data=form).status_code == 403


@pytest.mark.parametrize(
    ("field", "value"),
    [("MessageSid", "SM" + "a" * 63), ("ErrorCode", "3" * 33)],
)
def test_an_over_long_status_field_is_refused(
    healthy: Stack, gateway: Gateway, field: str, value: str
) -> None:
    form = {"MessageSid": "SM" + "b" * 32, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    form[field] = value
    path = "/twilio/status?m=1"
    response = gateway.client.post(
        gateway.base_url + path,
        data=form,
        headers={"X-Twilio-Signature": sign(gateway.token, gateway.public_url + path, form)},
    )
    assert response.status_code == 400
    assert field in response.text and response.headers["content-type"].startswith("text/plain")
