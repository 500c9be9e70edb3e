"""`make run`: start the whole system on this machine and stop it cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import time
from types import FrameType
from urllib.parse import urlsplit

from dotenv import dotenv_values

from api.config import is_loopback
from scripts.stack import MODEL, ROOT, Restarts, Stack, StackConfig, fail


def _port(url: str, default: int) -> int:
    return urlsplit(url).port or default


def config_from_environment() -> StackConfig:
    file_values = {k: v for k, v in dotenv_values(ROOT / ".env").items() if v is not None}
    values = {**file_values, **os.environ}
    gateway_host = values.get("GATEWAY_HOST") or "127.0.0.1"
    if not is_loopback(gateway_host) and not values.get("ENVIRONMENT"):
        fail(f"GATEWAY_HOST={gateway_host} is reachable from other machines: set ENVIRONMENT in .env.")
    return StackConfig(
        env=file_values,
        var_dir=ROOT / "var",
        gateway_port=int(values.get("GATEWAY_PORT", "8000")),
        gateway_workers=int(values.get("GATEWAY_WORKERS", "2")),
        rasa_port=_port(values.get("RASA_URL", ""), 5005),
        actions_port=_port(values.get("ACTION_SERVER_URL", ""), 5055),
        # Start our own Redis unless REDIS_URL points to one.
        redis_url=values.get("REDIS_URL") or None,
        redis_port=int(values.get("LOCAL_REDIS_PORT", "6390")),
        # `make setup` writes both into .env; empty ones are random for this run.
        redis_password=values.get("REDIS_PASSWORD", ""),
        action_server_token=values.get("ACTION_SERVER_TOKEN", ""),
        gateway_host=gateway_host,
    )


def main() -> None:
    if not MODEL.exists():
        fail("No trained model: run `make setup` (or `make train`) first.")
    if not (ROOT / ".env").exists():
        fail("No .env file: run `make setup` first (it copies .env.example).")
    stack = Stack(config_from_environment())
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        print("Starting: " + ", ".join(stack.services) + " (first start of Rasa takes a minute)")
        stack.migrate()
        stack.start()
        print("\nThe assistant is running.")
        for name, url in stack.urls().items():
            print(f"  {name:<9} {url}")
        gateway = stack.urls()["gateway"]
        print(f"  health    {gateway}/healthz")
        print(f"  webhook   {stack.env['PUBLIC_BASE_URL']}/twilio/messages")
        print(f"  logs      {stack.log_dir}/")
        transport = "twilio" if stack.env.get("TWILIO_ACCOUNT_SID") else "console"
        if stack.env.get("TRANSPORT"):
            transport = stack.env["TRANSPORT"]
        print(f"  transport {transport}" + ("  (text it with `make chat`)" if transport == "console" else ""))
        print("Press Ctrl-C to stop.")
        restarts = Restarts()
        while not stopping:
            for name in stack.exited():
                # A crashed process is started again, as systemd would: nothing is lost (messages
                # are in the database, jobs in Redis), and the others wait for it meanwhile.
                if not restarts.allow(name, time.monotonic()):
                    print(f"{name} keeps stopping (see its log). Stopping everything.")
                    return
                print(f"{name} stopped unexpectedly (see its log); starting it again.", flush=True)
                stack.services[name].process = None
                stack.start_service(name)
            time.sleep(0.5)
    except RuntimeError as exc:
        print(f"Could not start: {exc}", file=sys.stderr)
    finally:
        stack.stop()  # first: printing can fail if the terminal or a pipe has gone
        _say("Stopped everything.")


def _say(text: str) -> None:
    try:
        print(text, flush=True)
    except OSError:
        pass


if __name__ == "__main__":
    main()
