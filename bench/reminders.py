"""Benchmark and fault test: 10,000 reminders due in the same minute.

    make bench-reminders     # python -m bench.reminders [--count 10000]
    make faults-reminders    # python -m bench.reminders --faults [--count 3000]

Starts Redis (appendonly, noeviction), the gateway and one worker on free ports, with the
Twilio transport pointed at the local fake Twilio API (tests/fakes/twilio_api.py), which
records every message it accepts. Seeds `count` residents, each with an appointment
tomorrow and one reminder due within the same minute, queued as the API queues them (arq
deferred jobs). Then waits until every reminder is sent or the time limit passes.

Counts: sent (reminders marked sent), missing (due but never reached the fake API),
duplicates (a resident who got more than one text at the fake API), and lateness (Twilio's
acceptance time minus the due time). With --faults the worker is killed with SIGKILL every
few seconds and started again, and Redis is killed once and restarted (its append-only file
keeps the queue): duplicates and missing must both stay zero.

Writes bench/results/reminders.json (or reminders-faults.json) and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from arq import create_pool
from sqlalchemy import insert

from api.db.models import Appointment, Contact, Conversation, Reminder
from api.db.session import make_engine
from api.queue import redis_settings
from api.reminders.send import SEND_REMINDER, job_id
from api.reminders.timing import LONDON
from api.worker.deps import TEST_CLOCK_KEY
from bench.common import FakeTwilio, bench_stack, kill, percentile, rss_mb, write_json
from tests.support import Database, wait_for


def phone(n: int) -> str:
    return f"+4479111{n:05d}"


async def seed(database_url: str, count: int, first_due: datetime) -> None:
    """Residents, conversations, appointments and reminders, in bulk (the API's rows)."""
    engine = make_engine(database_url)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as db:
            await db.execute(
                insert(Contact),
                [
                    {
                        "id": n,
                        "uid": f"b{n:031d}",
                        "phone": phone(n),
                        "language": "en",
                        "phone_valid": True,
                        "created_at": now,
                    }
                    for n in range(1, count + 1)
                ],
            )
            await db.execute(
                insert(Conversation),
                [
                    {
                        "id": n,
                        "contact_id": n,
                        "channel": "sms",
                        "owner": "bot",
                        "keep_assigned": False,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in range(1, count + 1)
                ],
            )
            await db.execute(
                insert(Appointment),
                [
                    {
                        "id": n,
                        "contact_id": n,
                        "conversation_id": n,
                        "starts_at": first_due + timedelta(days=1),
                        "kind": "gp",
                        "place": "Green Street Surgery",
                        "with_whom": "Sam",
                        "status": "booked",
                        "version": 1,
                        "created_by": "bench",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in range(1, count + 1)
                ],
            )
            # Spread evenly over one minute.
            await db.execute(
                insert(Reminder),
                [
                    {
                        "id": n,
                        "key": f"appt:{n}:v1:1d",
                        "kind": "appointment",
                        "contact_id": n,
                        "conversation_id": n,
                        "appointment_id": n,
                        "due_at": first_due + timedelta(seconds=60 * (n - 1) / count),
                        "status": "pending",
                        "created_at": now,
                    }
                    for n in range(1, count + 1)
                ],
            )
    finally:
        await engine.dispose()


async def enqueue_all(redis_url: str, queue: str, count: int, first_due: datetime) -> None:
    pool = await create_pool(redis_settings(redis_url), default_queue_name=queue)
    try:
        # Daytime for the worker's scheduled work, whatever the hour of this run.
        local = datetime.now(LONDON)
        if not 10 <= local.hour < 19:
            await pool.set(TEST_CLOCK_KEY, str((local.replace(hour=12, minute=0) - local).total_seconds()))
        for start in range(1, count + 1, 500):
            await asyncio.gather(
                *(
                    pool.enqueue_job(
                        SEND_REMINDER,
                        n,
                        _job_id=job_id(n),
                        _defer_until=first_due + timedelta(seconds=60 * (n - 1) / count),
                    )
                    for n in range(start, min(count, start + 499) + 1)
                )
            )
    finally:
        await pool.aclose()


def count_sent(database_url: str) -> int:
    return int(
        Database(database_url).rows("SELECT count(*) AS n FROM reminders WHERE status = 'sent'")[0]["n"]
    )


def lateness_from_db(database_url: str) -> list[float]:
    """Seconds from each reminder's due time to the provider accepting its text (our sent_at)."""
    rows = Database(database_url).rows(
        "SELECT r.due_at, m.sent_at FROM reminders r JOIN messages m ON m.id = r.message_id"
        " WHERE m.sent_at IS NOT NULL"
    )
    return [(_utc(row["sent_at"]) - _utc(row["due_at"])).total_seconds() for row in rows]


def sent_times(database_url: str) -> list[Any]:
    return [
        row["sent_at"]
        for row in Database(database_url).rows("SELECT sent_at FROM messages WHERE sent_at IS NOT NULL")
    ]


def _utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run(count: int, faults: bool, limit: float) -> dict[str, Any]:
    with FakeTwilio() as fake:
        return _run(count, faults, limit, fake)


def _run(count: int, faults: bool, limit: float, fake: FakeTwilio) -> dict[str, Any]:
    var = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    # ENVIRONMENT=test: the worker reads the test clock shift (daytime for scheduled work).
    stack = bench_stack(var, fake, "bench:reminders", ENVIRONMENT="test", RECOVERY_AFTER="10")
    kills = redis_restarts = 0
    try:
        stack.migrate()
        stack.start(["redis"])
        first_due = (datetime.now(UTC) + timedelta(seconds=25 + count / 1000)).replace(microsecond=0)
        asyncio.run(seed(stack.env["DATABASE_URL"], count, first_due))
        asyncio.run(enqueue_all(stack.env["REDIS_URL"], stack.env["QUEUE_NAME"], count, first_due))
        stack.start(["worker"])
        worker_mb = rss_mb(stack.services["worker"].process.pid)  # type: ignore[union-attr]
        deadline = time.monotonic() + limit
        next_kill = time.monotonic() + 3
        redis_killed = False
        while time.monotonic() < deadline:
            sent = count_sent(stack.env["DATABASE_URL"])
            if sent >= count and len(fake.sent()) >= count:
                break
            # Kill while the reminders fall due and are sent (up to a minute after the last is due).
            killing = first_due < datetime.now(UTC) < first_due + timedelta(seconds=120)
            if faults and killing and sent < count and time.monotonic() >= next_kill:
                kill(stack, "worker")
                kills += 1
                if not redis_killed and sent > count // 3:
                    kill(stack, "redis")
                    stack.start(["redis"])
                    redis_killed, redis_restarts = True, 1
                stack.start(["worker"])
                next_kill = time.monotonic() + 3
            time.sleep(0.5)
        if faults:
            # Let the recovery sweep finish the last ones after the final kill.
            # arq frees a killed worker's jobs after its longest job timeout (60 s) plus 10 s.
            try:
                wait_for(lambda: len(fake.sent()) >= count or None, 200, what="every text")
            except AssertionError:
                pass  # reported as missing below
            time.sleep(5)  # anything doubled would arrive now
        records = fake.sent()
        last_sent = max((_utc(s) for s in sent_times(stack.env["DATABASE_URL"])), default=first_due)
    finally:
        stack.stop()
    per_number: dict[str, int] = {}
    for record in records:
        per_number[record["To"]] = per_number.get(record["To"], 0) + 1
    lateness = lateness_from_db(stack.env["DATABASE_URL"])
    last_due = first_due + timedelta(seconds=60 * (count - 1) / count)
    return {
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores",
        "count": count,
        "faults": faults,
        "worker_kills": kills,
        "redis_restarts": redis_restarts,
        "texts_at_provider": len(records),
        "missing": sum(1 for n in range(1, count + 1) if phone(n) not in per_number),
        "duplicates": sum(c - 1 for c in per_number.values() if c > 1),
        "all_sent_after_last_due_s": (last_sent - last_due).total_seconds(),
        "lateness_s": {
            "p50": percentile(lateness, 50),
            "p95": percentile(lateness, 95),
            "p99": percentile(lateness, 99),
            "max": max(lateness, default=float("nan")),
        },
        "worker_rss_mb_at_start": round(worker_mb, 1),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def markdown(plain: dict[str, Any] | None, faults: dict[str, Any] | None) -> str:
    """The report's section, from bench/results/reminders.json and reminders-faults.json."""
    lines = [
        "## Reminders: 10,000 due in the same minute (`make bench-reminders`, `make faults-reminders`)",
        "",
        "Redis (append-only, noeviction) and one worker; the real twilio SDK sends to the local fake "
        "Twilio API, which counts what a resident would receive. Lateness: due time to the provider "
        "accepting the text. Seconds.",
        "",
        "| run | date | reminders | texts at provider | missing | duplicates | worker SIGKILLs "
        "| Redis restarts | all sent, after the last was due | lateness p50 | p95 | max |",
        "|---|---|" + "---:|" * 10,
    ]
    for name, r in (("plain", plain), ("faults", faults)):
        if r is None:
            continue
        late = r["lateness_s"]
        lines.append(
            f"| {name} | {r['at'][:10]} | {r['count']:,} | {r['texts_at_provider']:,} | {r['missing']} "
            f"| {r['duplicates']} | {r['worker_kills']} | {r['redis_restarts']} "
            f"| {r['all_sent_after_last_due_s']:.1f} | {late['p50']:.1f} | {late['p95']:.1f} "
            f"| {late['max']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument(
        "--faults", action="store_true", help="kill the worker repeatedly, restart Redis once"
    )
    parser.add_argument("--limit", type=float, default=600, help="give up after this many seconds")
    args = parser.parse_args()
    count = args.count or (3000 if args.faults else 10_000)
    result = run(count, args.faults, args.limit)
    name = "reminders-faults.json" if args.faults else "reminders.json"
    write_json(name, result)
    late = result["lateness_s"]
    print(f"reminders due in one minute: {count}{' (with faults)' if args.faults else ''}")
    print(f"  texts at the provider  {result['texts_at_provider']}")
    print(f"  missing                {result['missing']}")
    print(f"  duplicates             {result['duplicates']}")
    if args.faults:
        print(
            f"  worker SIGKILLs        {result['worker_kills']}   Redis restarts {result['redis_restarts']}"
        )
    print(f"  all sent, after the last was due   {result['all_sent_after_last_due_s']:.1f} s")
    print(
        f"  lateness p50 {late['p50']:.1f} s   p95 {late['p95']:.1f} s"
        f"   p99 {late['p99']:.1f} s   max {late['max']:.1f} s"
    )
    print(f"  written to bench/results/{name}")
    if result["missing"] or result["duplicates"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
