"""Helpers shared by the benchmarks: percentiles, process memory, the fake Twilio API."""

from __future__ import annotations

import os
import platform
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from scripts.stack import ROOT, Stack, StackConfig, free_port, http_ok
from tests.support import DEV_TOKEN, wait_for

RESULTS = ROOT / "bench" / "results"
ACCOUNT = "AC" + "5" * 32


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (NaN for no values)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def _tree(pid: int) -> list[int]:
    """A process and its descendants."""
    found, pids = [], [pid]
    while pids:
        current = pids.pop()
        found.append(current)
        try:
            pids.extend(int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split())
        except OSError:
            continue
    return found


def cpu_ticks() -> tuple[int, int]:
    """(steal, all) clock ticks of the whole machine so far (/proc/stat). Steal is time the
    virtual machine's host gave our cores to someone else: a run that lost much of it is slow
    for reasons outside the system under test."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return fields[7], sum(fields)


def steal_pct(before: tuple[int, int], after: tuple[int, int]) -> float:
    return round(100 * (after[0] - before[0]) / max(1, after[1] - before[1]), 1)


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    for current in _tree(pid):
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def cpu_s(pid: int) -> float:
    """CPU seconds (user and system) used so far by a process and its living children."""
    ticks = 0
    for current in _tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


class FakeTwilio:
    """The local fake of Twilio's REST API (tests/fakes/twilio_api.py) in its own process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> FakeTwilio:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.twilio_api", "--port", str(self.port),
             "--account-sid", ACCOUNT, "--auth-token", DEV_TOKEN],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: http_ok(self.url + "/_fake/health"), 20, what="fake Twilio")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)

    def sent(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = httpx.get(self.url + "/_fake/sent", timeout=60).json()
        return result

    def env(self) -> dict[str, str]:
        """Settings that point our Twilio transport at this fake."""
        return {
            "TWILIO_AUTH_TOKEN": DEV_TOKEN,
            "TWILIO_ACCOUNT_SID": ACCOUNT,
            "TWILIO_FROM_SMS": "+447700100200",
            "TWILIO_API_BASE_URL": self.url,
            "TRANSPORT": "twilio",
        }


#: The bench systems' Rasa token: every request to Rasa needs it (bot/serve.py).
RASA_TOKEN = "bench-rasa-token"


def bench_stack(
    var: Path, fake: FakeTwilio, queue: str, gateway_workers: int = StackConfig.gateway_workers, **env: str
) -> Stack:
    """The whole system on free loopback ports, a fresh SQLite file in `var`, replies through the
    Twilio transport to `fake`. `env` adds or overrides settings."""
    return Stack(
        StackConfig(
            env={
                "ENVIRONMENT": "development",
                "DATABASE_URL": f"sqlite:///{var}/app.db",
                **fake.env(),
                "RASA_TOKEN": RASA_TOKEN,
                "QUEUE_NAME": queue,
                "LOG_LEVEL": "WARNING",
                **env,
            },
            var_dir=var,
            gateway_port=free_port(),
            rasa_port=free_port(),
            actions_port=free_port(),
            redis_port=free_port(),
            gateway_workers=gateway_workers,
        )
    )


def kill(stack: Stack, name: str) -> None:
    """SIGKILL one process of the stack (its whole process group) and wait until it is gone."""
    stack.signal_service(name, signal.SIGKILL)
    process = stack.services[name].process
    if process is not None:
        process.wait()
    stack.services[name].process = None


def write_json(name: str, data: dict[str, Any]) -> Path:
    import json

    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def table(columns: list[tuple[str, str]], rows: list[dict[str, Any]], first: str = "phase") -> list[str]:
    """A Markdown table: one row per result, its `first` field then the given (key, title) columns."""
    lines = [
        f"| {first} | " + " | ".join(title for _, title in columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for row in rows:
        cells = [f"{row[k]:,}" if isinstance(row[k], int) else str(row[k]) for k, _ in columns]
        lines.append(f"| {row[first]} | " + " | ".join(cells) + " |")
    return lines
