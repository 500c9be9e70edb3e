"""Locust users for bench/inbound.py: each simulated resident sends one signed Twilio webhook.

bench/inbound.py starts locust headless with `users = rate x seconds` and `spawn rate = rate`,
so residents arrive at a steady rate and each sends its message as it arrives: an open load,
where a slow answer does not slow the next sender down (as with Twilio). Settings come from
the environment:

    BENCH_PATH      webhook path on the --host (ours: /twilio/messages)
    BENCH_PUBLIC    the public base URL Twilio signs against
    BENCH_TOKEN     the auth token to sign with
    BENCH_PREFIX    four digits that make this run's phone numbers unique
    BENCH_SENDS     JSON lines file: one line per message (resident, send time, status)
    BENCH_ANY_STATUS  set: any answer counts (measuring the load tool's own floor)
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import time
from typing import Any

from locust import FastHttpUser, constant_pacing, task

from api.gateway.signature import sign

TEXTS = ["hello", "what can you do", "thank you", "bye", "i need help", "hiya", "good morning", "cheers"]
_numbers = itertools.count()
_log: Any = None


def _sends() -> Any:
    global _log
    if _log is None:
        _log = open(os.environ["BENCH_SENDS"], "a", buffering=1)  # closed when locust exits
    return _log


class Resident(FastHttpUser):
    """FastHttpUser: on this machine it adds about half the latency of the requests-based HttpUser
    (7 against 14 ms to a trivial endpoint). bench/inbound.py measures that floor in each run."""

    network_timeout = 15.0  # Twilio waits 15 seconds for a webhook's answer
    connection_timeout = 15.0
    # Each user is one of Twilio's connections: it sends a message from a new resident every
    # BENCH_PACING seconds (bench/inbound.py sets users = rate x pacing).
    wait_time = constant_pacing(float(os.environ.get("BENCH_PACING", "2")))

    @task
    def text_us(self) -> None:
        n = next(_numbers)
        phone = f"+447{os.environ['BENCH_PREFIX']}{n:05d}"
        form = {
            "MessageSid": "SM" + secrets.token_hex(16),
            "AccountSid": "AC" + "0" * 32,
            "From": phone,
            "To": "+447000000000",
            "Body": TEXTS[n % len(TEXTS)],
            "NumMedia": "0",
        }
        path = os.environ["BENCH_PATH"]
        signature = sign(os.environ["BENCH_TOKEN"], os.environ["BENCH_PUBLIC"] + path, form)
        sent_at = time.time()
        with self.client.post(
            path,
            data=form,
            headers={"X-Twilio-Signature": signature},
            catch_response=True,
        ) as response:
            ok = response.status_code in (200, 204) or bool(os.environ.get("BENCH_ANY_STATUS"))
            if ok:
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")
        _sends().write(
            json.dumps({"to": phone, "sent_at": sent_at, "status": response.status_code, "ok": ok}) + "\n"
        )
