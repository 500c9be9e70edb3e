"""Fault tests: kill -9 each process under steady load; duplicate and out-of-order deliveries.

    make faults             # python -m bench.faults [--rate 8] [--limit 300]

Runs the whole system on loopback (Twilio transport to the local fake Twilio API, which records
every text a resident would get). A simulated Twilio sends signed webhooks from new residents at
a steady rate and, as Twilio's connection retries do, sends an unanswered webhook again (same
MessageSid) every second until it gets a 200.

Phase 1, crashes: while the load runs, SIGKILL the gateway, Rasa, the action server, the
worker and the urgent lane in turn (each started again at once), then kill Redis (append-only
file) and start it again. Phase 2, duplicates and disorder: each resident sends two messages,
delivered second first, each of them two or three times, part of them at the same instant.

Counts (all must be zero): inbound lost (acknowledged but not stored), replies missing (an
acknowledged message whose first reply never reached the provider), replies duplicated (a text
the provider got more often than the database holds it for that resident), and messages
processed twice (a MessageSid stored twice, or given to the bot twice, read from Rasa's
trackers). Writes bench/results/faults.json and prints a table; exits 1 if any count is not zero.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import redis

from api.gateway.signature import sign
from bench.common import FakeTwilio, bench_stack, kill, machine, table, write_json
from scripts.stack import ROOT, Stack
from tests.support import DEV_TOKEN, Database

PUBLIC = "https://bench.example.org"
PATH = "/twilio/messages"
TEXTS = ["hello", "thank you", "what can you do", "bye", "hiya", "cheers"]
#: Seconds after the start of the load at which each process is killed (then started again).
SCHEDULE = [(6, "gateway"), (16, "rasa"), (40, "actions"), (52, "worker"), (58, "urgent"), (64, "redis")]


class Twilio:
    """Sends webhooks as Twilio would, with its retries; remembers what was acknowledged."""

    def __init__(self, base: str) -> None:
        self.http = httpx.AsyncClient(base_url=base, timeout=15)
        self.acked: set[str] = set()
        self.attempts = 0
        self.failed_attempts = 0
        self.residents: dict[str, list[str]] = {}  # phone -> texts sent
        self.stop_retrying_at = float("inf")

    def form(self, phone: str, text: str) -> dict[str, str]:
        self.residents.setdefault(phone, []).append(text)
        return {
            "MessageSid": "SM" + secrets.token_hex(16),
            "AccountSid": "AC" + "0" * 32,
            "From": phone,
            "To": "+447000000000",
            "Body": text,
            "NumMedia": "0",
        }

    async def post_once(self, form: dict[str, str]) -> bool:
        self.attempts += 1
        try:
            response = await self.http.post(
                PATH, data=form, headers={"X-Twilio-Signature": sign(DEV_TOKEN, PUBLIC + PATH, form)}
            )
        except httpx.HTTPError:
            self.failed_attempts += 1
            return False
        if response.status_code == 200:
            self.acked.add(form["MessageSid"])
            return True
        self.failed_attempts += 1
        return False

    async def deliver(self, form: dict[str, str]) -> None:
        for _ in range(600):
            if await self.post_once(form) or time.monotonic() > self.stop_retrying_at:
                return
            await asyncio.sleep(1)


def new_phone(n: int, phase: int) -> str:
    return f"+4478{phase}{secrets.randbelow(100):02d}{n:05d}"


async def steady_load(twilio: Twilio, rate: float, seconds: float, phase: int) -> None:
    tasks = []
    begin = time.monotonic()
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, begin + n / rate - time.monotonic()))
        form = twilio.form(new_phone(n, phase), TEXTS[n % len(TEXTS)])
        tasks.append(asyncio.create_task(twilio.deliver(form)))
    await asyncio.gather(*tasks)


async def disorderly_load(twilio: Twilio, rate: float, seconds: float) -> None:
    """Two messages per resident: the second delivered first, each twice or three times."""

    async def resident(n: int) -> None:
        phone = new_phone(n, 9)
        first = twilio.form(phone, TEXTS[n % len(TEXTS)])
        second = twilio.form(phone, TEXTS[(n + 1) % len(TEXTS)])
        await asyncio.gather(twilio.deliver(second), twilio.deliver(second))
        await asyncio.gather(twilio.deliver(first), twilio.deliver(first))
        await asyncio.sleep(0.3)
        await twilio.deliver(second if n % 2 else first)

    tasks = []
    begin = time.monotonic()
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, begin + n / rate - time.monotonic()))
        tasks.append(asyncio.create_task(resident(n)))
    await asyncio.gather(*tasks)


def crash(stack: Stack, name: str) -> float:
    """SIGKILL one process (its whole group) and start it again; seconds until it is back."""
    started = time.monotonic()
    kill(stack, name)
    stack.start_service(name)
    return round(time.monotonic() - started, 1)


def crash_schedule(stack: Stack, log: list[dict[str, Any]]) -> None:
    """Runs in the main thread: a child started from another thread would get SIGTERM when that
    thread ends (scripts/stack.py starts children with a parent-death signal)."""
    begin = time.monotonic()
    for at, name in SCHEDULE:
        time.sleep(max(0.0, begin + at - time.monotonic()))
        back_after = crash(stack, name)
        log.append({"process": name, "at_s": at, "back_after_s": back_after})
        print(f"  killed {name} at {at} s, back after {back_after} s", flush=True)


def replies(stack: Stack, fake: FakeTwilio, twilio: Twilio) -> dict[str, int]:
    """Compare what the provider got with what the database says was sent, for this phase.

    Missing: an acknowledged message whose first reply never reached the provider. Duplicated: a
    text the provider got more often than the database holds it for that resident (the same words
    sent twice on purpose are two rows, so they do not count).
    """
    db = Database(stack.env["DATABASE_URL"])
    inbound = {
        r["provider_sid"]: r["id"]
        for r in db.rows("SELECT id, provider_sid FROM messages WHERE direction = 'in'")
    }
    outbound = db.rows(
        "SELECT ct.phone AS phone, m.body AS body, m.provider_sid AS sid, m.dedupe_key AS dedupe"
        " FROM messages m JOIN conversations c ON c.id = m.conversation_id"
        " JOIN contacts ct ON ct.id = c.contact_id WHERE m.direction = 'out'"
    )
    at_provider = [r for r in fake.sent() if r["To"] in twilio.residents]
    provider_sids = {r["sid"] for r in at_provider}
    first_reply = {r["dedupe"]: r["sid"] for r in outbound}
    missing = sum(
        1 for sid in twilio.acked if first_reply.get(f"reply:{inbound.get(sid)}:0") not in provider_sids
    )
    rows = Counter((r["phone"], r["body"]) for r in outbound if r["phone"] in twilio.residents)
    got = Counter((r["To"], r["Body"]) for r in at_provider)
    duplicated = sum(max(0, count - rows[key]) for key, count in got.items())
    return {
        "texts_at_provider": len(at_provider),
        "replies_missing": missing,
        "replies_duplicated": duplicated,
    }


def wait_until_answered(stack: Stack, fake: FakeTwilio, twilio: Twilio, limit: float) -> float:
    begin = time.monotonic()
    while time.monotonic() - begin < limit:
        if replies(stack, fake, twilio)["replies_missing"] == 0:
            break
        time.sleep(2)
    waited = time.monotonic() - begin
    time.sleep(8)  # anything sent twice would arrive now
    return round(waited, 1)


def processed_twice(stack: Stack, twilio: Twilio) -> dict[str, int]:
    db = Database(stack.env["DATABASE_URL"])
    stored = Counter(
        r["provider_sid"] for r in db.rows("SELECT provider_sid FROM messages WHERE direction = 'in'")
    )
    ids = {
        str(r["id"]): r["provider_sid"]
        for r in db.rows("SELECT id, provider_sid FROM messages WHERE direction = 'in'")
    }
    turns: Counter[str] = Counter()
    client = redis.Redis.from_url(stack.env["REDIS_URL"])
    for key in client.scan_iter("rasa:tracker:*"):
        raw = client.get(key)
        if raw is None:
            continue
        for event in json.loads(raw).get("events", []):
            message_id = (event.get("metadata") or {}).get("message_id")
            if event.get("event") == "user" and message_id in ids:
                turns[ids[message_id]] += 1
    return {
        "inbound_lost": len(twilio.acked - set(stored)),
        "stored_twice": sum(1 for sid in twilio.acked if stored[sid] > 1),
        "bot_turns_twice": sum(1 for sid in twilio.acked if turns[sid] > 1),
    }


def run_phase(
    name: str,
    stack: Stack,
    fake: FakeTwilio,
    twilio: Twilio,
    load: Any,
    limit: float,
    crashes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Run `load` (a coroutine) in its own thread, crashes (if any) in this one, then count."""
    started = time.monotonic()
    sender = threading.Thread(target=asyncio.run, args=(load,))
    sender.start()
    if crashes is not None:
        crash_schedule(stack, crashes)
    sender.join()
    load_s = round(time.monotonic() - started, 1)
    drained = wait_until_answered(stack, fake, twilio, limit)
    return {
        "phase": name,
        "residents": len(twilio.residents),
        "messages": sum(len(t) for t in twilio.residents.values()),
        "webhook_attempts": twilio.attempts,
        "attempts_refused_or_failed": twilio.failed_attempts,
        "acknowledged": len(twilio.acked),
        **replies(stack, fake, twilio),
        **processed_twice(stack, twilio),
        "load_s": load_s,
        "all_answered_after_s": drained,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=8, help="new residents a second")
    parser.add_argument("--limit", type=float, default=300, help="seconds to wait for the last replies")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    phases: list[dict[str, Any]] = []
    crashes: list[dict[str, Any]] = []
    with FakeTwilio() as fake:
        stack = bench_stack(var, fake, "bench:faults", PUBLIC_BASE_URL=PUBLIC, RECOVERY_AFTER="10")
        try:
            stack.migrate()
            stack.start()
            base = stack.urls()["gateway"]
            seconds = SCHEDULE[-1][0] + 12
            twilio = Twilio(base)
            twilio.stop_retrying_at = time.monotonic() + seconds + 120
            load = steady_load(twilio, args.rate, seconds, 1)
            phases.append(run_phase("crashes", stack, fake, twilio, load, args.limit, crashes))
            twilio = Twilio(base)
            twilio.stop_retrying_at = time.monotonic() + 120
            load = disorderly_load(twilio, args.rate, 15)
            name = "duplicates and disorder"
            phases.append(run_phase(name, stack, fake, twilio, load, args.limit))
        finally:
            stack.stop()
    result = {"machine": machine(), "rate_per_s": args.rate, "crashes": crashes, "phases": phases}
    path = write_json("faults.json", result)
    print(markdown(result))
    print(f"written {path.relative_to(ROOT)}")
    bad = [k for p in phases for k in COUNTS if p[k]]
    if bad:
        print(f"NOT ZERO: {', '.join(bad)}", file=sys.stderr)
        sys.exit(1)


COUNTS = ["inbound_lost", "replies_missing", "replies_duplicated", "stored_twice", "bot_turns_twice"]


def markdown(result: dict[str, Any]) -> str:
    columns = [
        ("messages", "messages"), ("webhook_attempts", "webhook attempts"), ("acknowledged", "acknowledged"),
        ("texts_at_provider", "texts at provider"), ("inbound_lost", "inbound lost"),
        ("replies_missing", "replies missing"), ("replies_duplicated", "replies duplicated"),
        ("stored_twice", "stored twice"), ("bot_turns_twice", "bot turns twice"),
        ("all_answered_after_s", "all answered, s after the load"),
    ]  # fmt: skip
    crashes = ", ".join(
        f"{c['process']} at {c['at_s']} s (back after {c['back_after_s']} s)" for c in result["crashes"]
    )
    lines = [
        "## Fault tests (`make faults`)",
        "",
        f"One run, {result['machine']['at'][:10]}, {result['rate_per_s']:g} new residents a second. "
        f"Crashes (SIGKILL, then started again): {crashes}. Redis restarts on its append-only file.",
        "",
    ]
    lines += table(columns, result["phases"])
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
