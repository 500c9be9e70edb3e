"""The job worker's processes (bot turns, deliveries, reminders, recovery sweep).

With WORKER_PROCESSES above 1 this process only watches that many worker processes and starts
one again at once if it dies. They share the work through the Redis queue; every job is safe
to run on any of them (per-conversation locks, idempotent sends). A SIGTERM stops them all;
each dies with this process, even if it is killed with SIGKILL.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import multiprocessing
import signal
import time
from multiprocessing.process import BaseProcess
from types import FrameType

from arq.worker import Worker
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from api.config import get_settings
from api.logs import configure_logging
from api.worker.settings import urgent_settings, worker_settings

log = logging.getLogger("api.worker")

#: Redis gone for longer than the connection's own retries (see api.queue.redis_settings).
REDIS_LOST = (RedisConnectionError, RedisTimeoutError, BusyLoadingError)
PR_SET_PDEATHSIG = 1
#: More worker deaths than this in CRASH_WINDOW seconds: something is wrong that starting again
#: will not mend, so stop and let whatever runs us (make run, systemd) decide.
MAX_CRASHES, CRASH_WINDOW = 5, 60.0


def run_worker(lane: str = "main") -> None:
    """One worker process of a lane ("main": bot turns, deliveries, reminders; "urgent": the
    safety and holding replies), until SIGTERM."""
    settings = get_settings()
    configure_logging(settings.log_level)
    build = urgent_settings if lane == "urgent" else worker_settings
    while True:
        try:
            Worker(**build(settings)).run()
            return
        except REDIS_LOST as exc:
            # Nothing is lost by starting again: jobs stay in Redis, messages in the database.
            log.warning("lost Redis (%s); the worker starts again in 2 s", type(exc).__name__)
            time.sleep(2)


def _child() -> None:
    # Die with the supervisor, whatever kills it.
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    run_worker()


def supervise(count: int) -> None:
    context = multiprocessing.get_context("spawn")
    stopping = failed = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start() -> BaseProcess:
        process = context.Process(target=_child, name="worker")
        process.start()
        return process

    children = [start() for _ in range(count)]
    crashes: list[float] = []
    while not stopping:
        for index, process in enumerate(children):
            if not process.is_alive() and not stopping:
                now = time.monotonic()
                crashes = [t for t in crashes if now - t < CRASH_WINDOW] + [now]
                if len(crashes) > MAX_CRASHES:
                    log.error("worker processes keep ending; stopping them all")
                    stopping = failed = True
                    break
                log.warning("a worker process ended (exit %s); starting it again", process.exitcode)
                children[index] = start()
        time.sleep(0.5)
    for process in children:
        if process.is_alive():
            process.terminate()
    for process in children:
        process.join(timeout=30)
    if failed:
        raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api.worker")
    parser.add_argument("--lane", choices=("main", "urgent"), default="main")
    lane = parser.parse_args(argv).lane
    settings = get_settings()
    if lane == "urgent":
        run_worker("urgent")  # one process: its jobs are short and mostly wait on I/O
        return
    if settings.worker_processes <= 1:
        run_worker()
        return
    configure_logging(settings.log_level)
    supervise(settings.worker_processes)
