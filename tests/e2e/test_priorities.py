"""The running system gives the CPU to acknowledging Twilio first (scripts/stack.py).

Rasa, the action server and the worker run at a lower priority than the gateway and Redis, and
that must hold between services, not just inside each: with Linux's autogroup scheduling each
service's session gets an equal share of the CPU whatever its processes' own nice values, so
the session itself is given the service's priority.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scripts.stack import BOT_NICENESS, Stack
from tests.support import session_processes

AUTOGROUP = Path(f"/proc/{os.getpid()}/autogroup").exists()


def _priorities(pid: int) -> tuple[int, int | None]:
    """(the process's own nice value, its session's autogroup nice value or None)."""
    own = os.getpriority(os.PRIO_PROCESS, pid)
    if not AUTOGROUP:
        return own, None
    text = Path(f"/proc/{pid}/autogroup").read_text()  # "/autogroup-123 nice 10"
    return own, int(text.split()[-1])


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("rasa", BOT_NICENESS),
        ("actions", BOT_NICENESS),
        ("worker", BOT_NICENESS),
        ("gateway", 0),
        ("urgent", 0),
    ],
)
def test_each_service_runs_at_its_priority_between_services(
    healthy: Stack, service: str, expected: int
) -> None:
    process = healthy.services[service].process
    assert process is not None
    pids = session_processes(process.pid)
    # The service's real processes, not just the launcher: Rasa is a Python process under bash.
    assert any("python" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace") for pid in pids)
    for pid in pids:
        own, session = _priorities(pid)
        assert own == expected
        assert session in (None, expected)
