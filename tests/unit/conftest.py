"""Fixtures for unit tests that need a real server of their own."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import redis
from redis.asyncio import Redis

from scripts.stack import free_port

T = TypeVar("T")


def _pong(port: int) -> bool:
    try:
        answer = subprocess.run(
            ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True, timeout=5, check=False
        )
    except subprocess.TimeoutExpired:
        return False
    return answer.stdout.strip() == "PONG"


def start_redis(port: int, directory: Path) -> subprocess.Popen[bytes]:
    """redis-server on `port`, answering, with nothing saved to disk."""
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(
        [*argv, "--dir", str(directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 15
    while not _pong(port):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_redis(process)
            pytest.fail(f"redis-server did not answer on port {port}")
        time.sleep(0.05)
    return process


def stop_redis(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis server of this module's own, on a free port, with nothing saved to disk."""
    port = free_port()
    process = start_redis(port, tmp_path_factory.mktemp("redis"))
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_redis(process)


@pytest.fixture
def url(redis_server: str) -> str:
    """The module's Redis server, emptied: every test starts with nothing in it."""
    with redis.Redis.from_url(redis_server) as client:
        client.flushdb()
    return redis_server


def run_on_redis(url: str, body: Callable[[Redis], Awaitable[T]]) -> T:
    """Run `body` with an asyncio client of the server at `url`, closed afterwards."""

    async def main() -> T:
        client = Redis.from_url(url)
        try:
            return await body(client)
        finally:
            await client.aclose()

    return asyncio.run(main())
