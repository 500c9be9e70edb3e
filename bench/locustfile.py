"""Locust users for bench/inbound.py: each simulated resident sends one signed Twilio webhook.

bench/inbound.py starts locust headless with `users = rate x pacing` and `spawn rate = rate`.
Locust starts each second's users together, so left alone every user of a second would send at
the same instant: `rate` messages at once, then nothing for a second. BENCH_SHAPE chooses:

    steady  (default) each user waits for its own slot first, so messages leave evenly spaced,
            1/rate seconds apart;
    burst   as locust starts them: each second's messages all at once.

Each user then sends every BENCH_PACING seconds. Settings come from the environment:

    BENCH_PATH      webhook path on the --host (ours: /twilio/messages)
    BENCH_PUBLIC    the public base URL Twilio signs against
    BENCH_TOKEN     the auth token to sign with
    BENCH_PREFIX    four digits that make this run's phone numbers unique
    BENCH_SENDS     JSON lines file: one line per message (resident, send time, status)
    BENCH_ANY_STATUS  set: any answer counts (measuring the load tool's own floor)
    BENCH_AUTHORIZATION  optional Authorization header (the Rasa system: its bearer token)
    BENCH_RATE      messages a second (for the steady shape's slots)
    BENCH_SECONDS   how long the load lasts: no message leaves after that
    BENCH_SHAPE     steady or burst
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import time
from typing import Any

import gevent
from locust import FastHttpUser, constant, task
from locust.exception import StopUser

from api.gateway.signature import sign

TEXTS = ["hello", "what can you do", "thank you", "bye", "i need help", "hiya", "good morning", "cheers"]
_numbers = itertools.count()
_users = itertools.count()
_first_start: list[float] = []
_log: Any = None
#: BENCH_AUTHORIZATION: an Authorization header to send too (stock Rasa's Twilio channel sits
#: behind bot/serve.py's token check, like every Rasa endpoint here).
_AUTHORIZATION = {"Authorization": v} if (v := os.environ.get("BENCH_AUTHORIZATION")) else {}


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
    # BENCH_PACING seconds (bench/inbound.py sets users = rate x pacing), paced in text_us.
    wait_time = constant(0)

    def on_start(self) -> None:
        self.next_send = time.time()  # burst: when locust started this user, with its second's others
        if not _first_start:
            _first_start.append(self.next_send)
        if os.environ.get("BENCH_SHAPE", "steady") == "steady":
            # User k's first message leaves k/rate seconds after the first user's: evenly spaced.
            self.next_send = _first_start[0] + next(_users) / float(os.environ["BENCH_RATE"])

    @task
    def text_us(self) -> None:
        # Our own pacing (locust's constant_pacing would count the wait for the first slot as
        # part of the first message, and send the second at once): every PACING seconds from
        # this user's slot, or at once if an answer took longer than that.
        if self.next_send >= _first_start[0] + float(os.environ["BENCH_SECONDS"]):
            raise StopUser  # this slot is after the load's end: locust would still send it
        gevent.sleep(max(0.0, self.next_send - time.time()))
        self.next_send += float(os.environ.get("BENCH_PACING", "2"))
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
            headers={"X-Twilio-Signature": signature, **_AUTHORIZATION},
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
