"""Benchmark: webhook acknowledgement latency and time to reply, at rising rates.

Starts the whole system (console transport) on free ports, then sends signed Twilio webhooks
from many simulated residents at fixed rates (open loop: requests leave on schedule whether or
not earlier ones were answered). Prints a table and writes bench/results/ack.json.

    make bench                     # or: .venv/bin/python -m bench.ack --rates 10 25 50 100 --seconds 5

Acknowledgement: from sending the request to the gateway's 200. Reply: from the gateway storing
the message to the worker handing the bot's first reply to the transport (database timestamps).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from api.gateway.signature import sign
from scripts.stack import ROOT, Stack, StackConfig, free_port
from tests.support import DEV_TOKEN, Database, new_uk_mobile, wait_for

PUBLIC = "https://bench.example.org"
# No "talk to a person": a handoff rightly silences the bot, which would count as missing replies.
TEXTS = ["hello", "what can you do", "thank you", "bye", "i need help", "hiya", "good morning", "cheers"]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            pids.extend(int(c) for c in children)
        except OSError:
            continue
    return total / 1024


async def run_rate(base: str, rate: int, seconds: float, residents: list[str]) -> dict[str, Any]:
    total = int(rate * seconds)
    forms = []
    for i in range(total):
        form = {
            "MessageSid": "SM" + secrets.token_hex(16),
            "From": residents[i % len(residents)],
            "To": "+447000000000",
            "Body": TEXTS[i % len(TEXTS)],
            "NumMedia": "0",
        }
        forms.append((form, sign(DEV_TOKEN, PUBLIC + "/twilio/messages", form)))
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=base, timeout=20, limits=limits) as client:

        async def one(form: dict[str, str], signature: str) -> None:
            nonlocal errors
            started = time.perf_counter()
            try:
                response = await client.post(
                    "/twilio/messages", data=form, headers={"X-Twilio-Signature": signature}
                )
                if response.status_code != 200:
                    errors += 1
                    return
            except httpx.HTTPError:
                errors += 1
                return
            latencies.append((time.perf_counter() - started) * 1000)

        begin = time.perf_counter()
        tasks = []
        for i, (form, signature) in enumerate(forms):
            delay = begin + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(form, signature)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - begin
    return {
        "rate": rate,
        "sent": total,
        "errors": errors,
        "elapsed_s": elapsed,
        "ack_ms": latencies,
        "sids": [f["MessageSid"] for f, _ in forms],
    }


def reply_times(db: Database, sids: list[str], timeout: float) -> tuple[list[float], int]:
    """Milliseconds from storing each inbound message to its first reply reaching the transport."""
    placeholders = ",".join(f"'{sid}'" for sid in sids)  # our own hex ids
    query = (
        "SELECT m.created_at, (SELECT MIN(o.sent_at) FROM messages o "
        "WHERE o.dedupe_key = :head || m.id || :tail) AS replied "
        f"FROM messages m WHERE m.provider_sid IN ({placeholders})"
    )

    def all_replied() -> list[dict[str, Any]] | None:
        rows = db.rows(query, head="reply:", tail=":0")
        return rows if len(rows) == len(sids) and all(r["replied"] for r in rows) else None

    try:
        rows = wait_for(all_replied, timeout, interval=0.5, what="all replies")
    except AssertionError:
        # Report what did arrive, and count the rest as missing.
        rows = db.rows(query, head="reply:", tail=":0")
    times = [
        (
            datetime.fromisoformat(str(r["replied"])) - datetime.fromisoformat(str(r["created_at"]))
        ).total_seconds()
        * 1000
        for r in rows
        if r["replied"]
    ]
    return times, len(sids) - len(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rates", type=int, nargs="+", default=[10, 25, 50, 100, 200])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ack.json")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="bench-"))
    gateway_port = free_port()
    stack = Stack(
        StackConfig(
            env={
                "DATABASE_URL": args.database_url or f"sqlite:///{var}/app.db",
                "TWILIO_AUTH_TOKEN": DEV_TOKEN,
                "TRANSPORT": "console",
                "TWILIO_ACCOUNT_SID": "",
                "RASA_TOKEN": "bench-rasa-token",
                "PUBLIC_BASE_URL": PUBLIC,
                "QUEUE_NAME": "bench:queue",
                "LOG_LEVEL": "WARNING",
            },
            var_dir=var,
            gateway_port=gateway_port,
            rasa_port=free_port(),
            actions_port=free_port(),
            redis_port=free_port(),
        )
    )
    results = []
    try:
        stack.migrate()
        stack.start()
        db = Database(stack.env["DATABASE_URL"])
        base = stack.urls()["gateway"]
        residents = [new_uk_mobile() for _ in range(args.residents)]
        at_rest = {name: rss_mb(s.process.pid) for name, s in stack.services.items() if s.process}
        for rate in args.rates:
            run = asyncio.run(run_rate(base, rate, args.seconds, residents))
            replies, missing = reply_times(db, run["sids"], timeout=max(30, run["sent"] / 5))
            ack = run["ack_ms"]
            results.append(
                {
                    "rate_per_s": rate,
                    "sent": run["sent"],
                    "errors": run["errors"],
                    "throughput_per_s": round(len(ack) / run["elapsed_s"], 1),
                    "ack_p50_ms": round(percentile(ack, 50), 1),
                    "ack_p95_ms": round(percentile(ack, 95), 1),
                    "ack_p99_ms": round(percentile(ack, 99), 1),
                    "ack_max_ms": round(max(ack), 1) if ack else None,
                    "reply_p50_ms": round(percentile(replies, 50), 1),
                    "reply_p95_ms": round(percentile(replies, 95), 1),
                    "reply_p99_ms": round(percentile(replies, 99), 1),
                    "replies_missing": missing,
                }
            )
            time.sleep(1)
        loaded = {name: rss_mb(s.process.pid) for name, s in stack.services.items() if s.process}
    finally:
        stack.stop()

    header = [
        "rate/s",
        "sent",
        "err",
        "thru/s",
        "ack p50",
        "ack p95",
        "ack p99",
        "reply p50",
        "reply p95",
        "reply p99",
        "missing",
    ]
    print("\nWebhook acknowledgement and reply latency (ms), console transport, one run")
    print(" | ".join(f"{h:>9}" for h in header))
    for r in results:
        row = [
            r["rate_per_s"],
            r["sent"],
            r["errors"],
            r["throughput_per_s"],
            r["ack_p50_ms"],
            r["ack_p95_ms"],
            r["ack_p99_ms"],
            r["reply_p50_ms"],
            r["reply_p95_ms"],
            r["reply_p99_ms"],
            r["replies_missing"],
        ]
        print(" | ".join(f"{v:>9}" for v in row))
    print(
        "\nResident memory (MB): "
        + ", ".join(f"{k} {v:.0f}" for k, v in at_rest.items())
        + f"; total at rest {sum(at_rest.values()):.0f}, after load {sum(loaded.values()):.0f}"
    )
    if results:
        print(f"ack p99 at the highest rate vs the 100 ms target: {results[-1]['ack_p99_ms'] / 100:.2f}x")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "machine": {
                    "platform": platform.platform(),
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                },
                "seconds_per_rate": args.seconds,
                "results": results,
                "rss_mb_at_rest": at_rest,
                "rss_mb_after_load": loaded,
            },
            indent=2,
        )
    )
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
