"""When the bot is down or slow, nothing is lost and nothing is answered twice."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from scripts.stack import Stack
from tests.support import Database, Gateway, Resident, wait_for

pytestmark = pytest.mark.stack


def _inbound_statuses(db: Database, resident: Resident) -> list[str]:
    return [m["status"] for m in db.messages_of(resident.number) if m["direction"] == "in"]


@contextmanager
def _down(stack: Stack, service: str, resident: Resident, text: str) -> Iterator[None]:
    """Stop a service, text while it is down, expect one holding reply; restart it on the way out."""
    stack.stop_service(service)
    try:
        resident.send(text)
        holding = resident.wait_replies(1, timeout=10)
        assert [r["key"] for r in holding] == ["holding"]
        yield
    finally:
        stack.start_service(service)


def test_rasa_down_then_up(healthy: Stack, gateway: Gateway, db: Database) -> None:
    resident = Resident(gateway)
    with _down(healthy, "rasa", resident, "hello"):
        health = gateway.client.get(gateway.base_url + "/healthz")
        assert health.status_code == 503
        assert health.json()["components"]["rasa"]["ok"] is False
        resident.send("thank you")  # still down: one holding reply per outage, not per message
        time.sleep(3)
        assert len(resident.outbox()) == 1
        assert _inbound_statuses(db, resident) == ["received", "received"]
    replies = resident.wait_replies(3, timeout=30)
    assert [r["key"] for r in replies] == ["holding", "greet", "thanks"]
    time.sleep(2)
    assert len(resident.outbox()) == 3
    assert _inbound_statuses(db, resident) == ["processed", "processed"]


def test_a_frozen_bot_gets_a_holding_reply_then_one_answer(healthy: Stack, gateway: Gateway) -> None:
    resident = Resident(gateway)
    healthy.signal_service("rasa", signal.SIGSTOP)
    try:
        resident.send("hello")
        first = resident.wait_replies(1, timeout=8)
        assert first[0]["key"] == "holding"
    finally:
        healthy.signal_service("rasa", signal.SIGCONT)
    replies = resident.wait_replies(2, timeout=20)
    assert [r["key"] for r in replies] == ["holding", "greet"]
    time.sleep(2)
    assert len(resident.outbox()) == 2


def test_a_job_lost_from_redis_is_recovered_from_the_database(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    resident = Resident(gateway)
    healthy.stop_service("worker")
    try:
        resident.send("hello")
        queue = healthy.env["QUEUE_NAME"]
        with redis.Redis.from_url(healthy.env["REDIS_URL"]) as client:
            lost = client.zcard(queue)
            assert lost >= 1
            client.delete(queue)  # as if Redis had lost the queued job
        time.sleep(6)  # older than RECOVERY_AFTER (5 s in tests)
        # The message has waited: the urgent lane told the resident it is here.
        assert [r["key"] for r in resident.outbox()] == ["holding"]
    finally:
        healthy.start_service("worker")
    replies = resident.wait_replies(2, timeout=30)
    assert [r["key"] for r in replies] == ["holding", "greet"]
    wait_for(lambda: _inbound_statuses(db, resident) == ["processed"], 5, what="processed")


def test_action_server_down_then_up(healthy: Stack, gateway: Gateway, db: Database) -> None:
    """With the action server down Rasa would drop the handoff action's reply: the turn waits."""
    resident = Resident(gateway)
    # "0" (a person) runs a custom action; a short message also keeps language detection out.
    with _down(healthy, "actions", resident, "0"):
        time.sleep(2)
        assert len(resident.outbox()) == 1
        assert _inbound_statuses(db, resident) == ["received"]
    replies = resident.wait_replies(2, timeout=30)
    assert [r["key"] for r in replies] == ["holding", "handoff_open"]
    time.sleep(2)
    assert len(resident.outbox()) == 2


def _worker_children(stack: Stack) -> set[int]:
    process = stack.services["worker"].process
    assert process is not None
    # setpriv and nice exec in place, so the service's pid is the supervisor itself; besides
    # the workers it has multiprocessing's resource tracker.
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return {int(p) for p in children if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()}


def test_a_killed_worker_process_is_started_again_and_its_work_goes_on(
    healthy: Stack, gateway: Gateway, db: Database
) -> None:
    children = wait_for(
        lambda: _worker_children(healthy) if len(_worker_children(healthy)) == 2 else None, 30
    )
    victim = min(children)
    os.kill(victim, signal.SIGKILL)

    def new_one() -> set[int] | None:
        now = _worker_children(healthy)
        return now if len(now) == 2 and victim not in now else None

    replaced = wait_for(new_one, 10, what="a new worker process")
    assert replaced & children == children - {victim}  # the other one was left alone
    resident = Resident(gateway)
    resident.send("hello")
    assert resident.wait_replies(1, timeout=30)[0]["key"] == "greet"
