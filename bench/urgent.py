"""Urgent replies under faults: a crisis during a backlog of 2,000, and with the bot slow or stopped.

    make faults             # bench.faults, then this: python -m bench.urgent [--backlog 2000]

The whole system on loopback, replies through the Twilio transport to the local fake Twilio API,
which records when each text reached it. Three phases, each with crisis messages from new
residents spread over it (one a second), among ordinary messages:

- backlog: BACKLOG ordinary webhooks from new residents in about 20 s, far more than the bot
  answers in that time, so the main queue holds a backlog of bot turns;
- bot slow: Rasa frozen with SIGSTOP (connections hang, as under heavy load), light load;
- bot stopped: Rasa killed, light load, then started again.

Urgent reply time: from the moment a crisis webhook was sent to the moment the first text to
that resident reached the provider. Target: p99 at most 1 s in every phase. Holding reply time:
the same for ordinary residents whose message waited (their first text). Counted after each
phase, once everything is answered: crisis residents with no urgent reply or with a text sent
twice, and for the ordinary messages the counts of bench/faults.py (lost, missing, duplicated).
Writes bench/results/urgent.json and prints a table; exits 1 if a target or a count fails.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bench.common import FakeTwilio, bench_stack, kill, machine, percentile, table, write_json
from bench.faults import Twilio, processed_twice, replies, steady_load, wait_until_answered
from scripts.stack import ROOT, Stack
from tests.support import Database

PUBLIC = "https://bench.example.org"
CRISES = ["I want to kill myself", "i have taken all my tablets", "he is hitting me, I am scared"]
TARGET_S = 1.0


async def crisis_load(twilio: Twilio, count: int, sent_at: dict[str, float], phase: int) -> None:
    """One crisis message a second, each from a new resident; remembers when each was sent."""
    tasks = []
    for n in range(count):
        await asyncio.sleep(1.0 if n else 2.0)
        phone = f"+4477{phase}{n:07d}"
        form = twilio.form(phone, CRISES[n % len(CRISES)])
        sent_at[phone] = time.time()
        tasks.append(asyncio.create_task(twilio.deliver(form)))
    await asyncio.gather(*tasks)


def first_texts(fake: FakeTwilio, phones: set[str]) -> tuple[dict[str, float], Counter[tuple[str, str]]]:
    first: dict[str, float] = {}
    got: Counter[tuple[str, str]] = Counter()
    for record in fake.sent():
        to = record["To"]
        if to in phones:
            got[(to, record["Body"])] += 1
            if to not in first or record["received_at"] < first[to]:
                first[to] = record["received_at"]
    return first, got


def crisis_counts(stack: Stack, fake: FakeTwilio, sent_at: dict[str, float]) -> dict[str, Any]:
    first, got = first_texts(fake, set(sent_at))
    waits = [first[p] - sent_at[p] for p in sent_at if p in first]
    db = Database(stack.env["DATABASE_URL"])
    rows = Counter(
        (r["phone"], r["body"])
        for r in db.rows(
            "SELECT ct.phone AS phone, m.body AS body FROM messages m"
            " JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id"
            " WHERE m.direction = 'out'"
        )
        if r["phone"] in sent_at
    )
    return {
        "crises": len(sent_at),
        "urgent_p50_s": round(percentile(waits, 50), 3) if waits else None,
        "urgent_p99_s": round(percentile(waits, 99), 3) if waits else None,
        "urgent_max_s": round(max(waits), 3) if waits else None,
        "crisis_unanswered": len(sent_at) - len(waits),
        "crisis_duplicated": sum(max(0, count - rows[key]) for key, count in got.items()),
    }


def holding_times(fake: FakeTwilio, sent_at: dict[str, float]) -> dict[str, Any]:
    first, _ = first_texts(fake, set(sent_at))
    waits = [first[p] - sent_at[p] for p in sent_at if p in first]
    return {
        "first_text_p50_s": round(percentile(waits, 50), 2) if waits else None,
        "first_text_p99_s": round(percentile(waits, 99), 2) if waits else None,
    }


class Recording(Twilio):
    """Twilio's webhooks, remembering when each resident's first message was sent."""

    def __init__(self, base: str) -> None:
        super().__init__(base)
        self.first_sent: dict[str, float] = {}

    def form(self, phone: str, text: str) -> dict[str, str]:
        self.first_sent.setdefault(phone, time.time())
        return super().form(phone, text)


def run(
    name: str,
    stack: Stack,
    fake: FakeTwilio,
    ordinary: Coroutine[Any, Any, None],
    crisis: Coroutine[Any, Any, None],
    during: Callable[[], None],
    after: Callable[[], None],
) -> None:
    """Both loads in one thread; the fault (`during`) and its end (`after`) in this one (a child
    started from another thread would get SIGTERM when that thread ends: scripts/stack.py)."""

    async def both() -> None:
        await asyncio.gather(ordinary, crisis)

    print(f"  {name}...", flush=True)
    during()
    sender = threading.Thread(target=asyncio.run, args=(both(),))
    sender.start()
    sender.join()
    after()


def phase(
    name: str, stack: Stack, fake: FakeTwilio, args: argparse.Namespace, number: int, **fault: Any
) -> dict[str, Any]:
    base = stack.urls()["gateway"]
    ordinary, crises = Recording(base), Twilio(base)
    sent_at: dict[str, float] = {}
    rate, seconds = fault.pop("rate"), fault.pop("seconds")
    run(
        name,
        stack,
        fake,
        steady_load(ordinary, rate, seconds, number),
        crisis_load(crises, args.crises, sent_at, number),
        fault.get("during", lambda: None),
        fault.get("after", lambda: None),
    )
    time.sleep(2)
    result = {"phase": name, "ordinary_messages": int(rate * seconds), **crisis_counts(stack, fake, sent_at)}
    result.update(holding_times(fake, ordinary.first_sent))
    result["all_answered_after_s"] = wait_until_answered(stack, fake, ordinary, args.limit)
    result.update(replies(stack, fake, ordinary))
    result.update(processed_twice(stack, ordinary))
    return result


COUNTS = ["crisis_unanswered", "crisis_duplicated", "inbound_lost", "replies_missing", "replies_duplicated"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backlog", type=int, default=2000, help="ordinary webhooks in the backlog phase")
    parser.add_argument("--crises", type=int, default=15, help="crisis messages in each phase")
    parser.add_argument("--limit", type=float, default=300, help="seconds to wait for the last replies")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="bench-urgent-"))
    phases: list[dict[str, Any]] = []
    with FakeTwilio() as fake:
        stack = bench_stack(var, fake, "bench:urgent", PUBLIC_BASE_URL=PUBLIC, RECOVERY_AFTER="10")
        try:
            stack.migrate()
            stack.start()
            phases.append(phase("backlog", stack, fake, args, 1, rate=args.backlog / 20, seconds=20))
            rasa = "rasa"
            phases.append(
                phase(
                    "bot slow", stack, fake, args, 2, rate=3, seconds=16,
                    during=lambda: stack.signal_service(rasa, signal.SIGSTOP),
                    after=lambda: stack.signal_service(rasa, signal.SIGCONT),
                )
            )  # fmt: skip
            phases.append(
                phase(
                    "bot stopped", stack, fake, args, 3, rate=3, seconds=16,
                    during=lambda: kill(stack, rasa), after=lambda: stack.start_service(rasa),
                )
            )  # fmt: skip
        finally:
            stack.stop()
    result = {"machine": machine(), "target_s": TARGET_S, "phases": phases}
    path = write_json("urgent.json", result)
    print(markdown(result))
    print(f"written {path.relative_to(ROOT)}")
    bad = [f"{p['phase']}: {k}" for p in phases for k in COUNTS if p[k]]
    bad += [f"{p['phase']}: urgent p99" for p in phases if (p["urgent_p99_s"] or 99) > TARGET_S]
    if bad:
        print(f"NOT MET: {', '.join(bad)}", file=sys.stderr)
        sys.exit(1)


def markdown(result: dict[str, Any]) -> str:
    columns = [
        ("ordinary_messages", "ordinary messages"), ("crises", "crisis messages"),
        ("urgent_p50_s", "urgent reply p50, s"), ("urgent_p99_s", "urgent reply p99, s"),
        ("urgent_max_s", "urgent reply max, s"), ("first_text_p99_s", "ordinary first text p99, s"),
        ("crisis_unanswered", "crises unanswered"), ("crisis_duplicated", "crisis texts doubled"),
        ("inbound_lost", "inbound lost"), ("replies_missing", "replies missing"),
        ("replies_duplicated", "replies doubled"), ("all_answered_after_s", "all answered, s after"),
    ]  # fmt: skip
    lines = [
        "## Urgent replies under faults (`make faults`, `bench/urgent.py`)",
        "",
        f"One run, {result['machine']['at'][:10]}. Each crisis message's time from its webhook to its first "
        f'text at the provider; target p99 at most {result["target_s"]:g} s in every phase. "Backlog": '
        'the ordinary webhooks arrive far faster than the bot answers; "bot slow": Rasa frozen (SIGSTOP); '
        '"bot stopped": Rasa killed, then started again. An ordinary resident\'s first text is the '
        "holding reply when their message waits (HOLDING_REPLY_AFTER, 5 s, counted from arrival).",
        "",
    ]
    lines += table(columns, result["phases"])
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
