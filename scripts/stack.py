"""Start, watch and stop the whole system: Redis, Rasa, action server, gateway, worker.

Used by `make run` and by the test suite, so the tests run the same processes a person does.
Each process logs to `<var>/log/<name>.log`; application logs hold no personal data.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import redis

ROOT = Path(__file__).resolve().parent.parent
APP_BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "current.tar.gz"
#: Every child gets SIGTERM if the supervisor dies, even by SIGKILL (util-linux's setpriv).
DIE_WITH_PARENT = ["setpriv", "--pdeathsig", "TERM", "--"]
#: Rasa, the action server and the worker yield the CPU to the gateway and Redis.
BOT_NICENESS = 10


def set_session_niceness(pid: int, nice: int) -> bool:
    """Give a process's whole session the CPU priority `nice`. Each service runs in a session of
    its own, and Linux's autogroup scheduling (on when there is no cpu cgroup, as here and on
    most desktops and plain servers) first shares the CPU equally between sessions, then by nice
    value inside each. So a process's own nice value only ranks it against its own session; the
    session's value (proc(5), /proc/PID/autogroup) is the one that ranks services against each
    other. False where autogroup is off: there the process's own nice value already counts."""
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))
    except OSError:
        return False
    return True


#: The action server answers Rasa only, on this machine.
ACTIONS_HOST = "127.0.0.1"


def redis_config(port: int, host: str, directory: Path, password: str) -> str:
    """Our own Redis's configuration (redis.conf syntax), given on its standard input."""
    quoted = password.replace("\\", "\\\\").replace('"', '\\"')
    return "\n".join(
        [
            f"port {port}",
            f"bind {host}",
            f'dir "{directory}"',
            "appendonly yes",
            "appendfsync everysec",
            "maxmemory-policy noeviction",
            'save ""',
            "protected-mode yes",
            f'requirepass "{quoted}"',
            "",
        ]
    )


def _connect_host(bind: str) -> str:
    """Where to reach a server bound to `bind` from this machine."""
    return "127.0.0.1" if bind in ("0.0.0.0", "::", "") else bind  # noqa: S104 - compared, not bound


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback URLs we build
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def http_answers(url: str) -> bool:
    """Something answers HTTP there, whatever the status (longer than /healthz's own 3 s limit
    on each component, so a hung component does not hide a live gateway)."""
    try:
        with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - loopback URLs we build
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError, ValueError):
        return False


def redis_ok(url: str) -> bool:
    try:
        with redis.Redis.from_url(url, socket_timeout=1) as client:
            return bool(client.ping())
    except redis.RedisError:
        return False


@dataclass
class Service:
    name: str
    argv: list[str]
    ready: Callable[[], bool]
    url: str = ""
    env: dict[str, str] = field(default_factory=dict)
    start_timeout: float = 120.0
    #: CPU priority (nice). Acknowledging Twilio has a deadline; bot turns queue and can wait.
    nice: int = 0
    #: Written to the process's standard input, then closed: how a secret reaches a program
    #: that reads its configuration there (Redis), never on its command line.
    stdin: bytes | None = None
    process: subprocess.Popen[bytes] | None = None


@dataclass
class StackConfig:
    """Where things listen. `redis_url=None` means: start our own Redis on `redis_port`."""

    env: dict[str, str]
    var_dir: Path
    gateway_port: int = 8000
    rasa_port: int = 5005
    actions_port: int = 5055
    redis_url: str | None = None
    redis_port: int = 6390
    #: Our own Redis's password (requirepass); for an existing one, used when `redis_url` has
    #: none. Empty with our own Redis: a random one for this run.
    redis_password: str = ""
    #: Shared by Rasa (bot/endpoints.yml sends it) and the action server (which asks for it).
    #: Empty: a random one for this run.
    action_server_token: str = ""
    #: Where Redis and the bot listen. The action server always listens on loopback.
    host: str = "127.0.0.1"
    #: Where the gateway listens (GATEWAY_HOST); anything but loopback needs ENVIRONMENT set.
    gateway_host: str = "127.0.0.1"
    #: Gateway processes (uvicorn --workers). Two on two cores: a burst of webhooks can then use
    #: both cores (bot turns run at a lower priority), measured in docs/benchmarks.md.
    gateway_workers: int = 2

    def __post_init__(self) -> None:
        if self.own_redis and not self.redis_password:
            self.redis_password = secrets.token_urlsafe(32)
        if not self.action_server_token:
            self.action_server_token = secrets.token_urlsafe(32)

    @property
    def own_redis(self) -> bool:
        return self.redis_url is None

    @property
    def effective_redis_url(self) -> str:
        """The URL every Redis client connects with, password included."""
        url = urlsplit(self.redis_url or f"redis://{self.host}:{self.redis_port}/0")
        if self.redis_password and not url.password:
            auth = f"{quote(url.username or '', safe='')}:{quote(self.redis_password, safe='')}"
            url = url._replace(netloc=f"{auth}@{url.netloc.rpartition('@')[2]}")
        return urlunsplit(url)


class Stack:
    ORDER = ("redis", "actions", "rasa", "gateway", "worker", "urgent")

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.log_dir = config.var_dir / "log"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.env = self._environment()
        self.services = {service.name: service for service in self._services()}

    # -- configuration -------------------------------------------------------------------
    def _environment(self) -> dict[str, str]:
        c = self.config
        redis = urlsplit(c.effective_redis_url)
        env = dict(os.environ)
        env.update(c.env)
        env.update(
            {
                "REDIS_URL": c.effective_redis_url,
                "RASA_URL": f"http://{c.host}:{c.rasa_port}",
                "ACTION_SERVER_URL": f"http://{c.host}:{c.actions_port}",
                # For bot/endpoints.yml (Rasa reads these through ${...} substitution).
                "REDIS_HOST": redis.hostname or c.host,
                "REDIS_PORT": str(redis.port or 6379),
                "REDIS_DB": (redis.path or "/0").lstrip("/") or "0",
                "REDIS_PASSWORD": unquote(redis.password or ""),
                "ACTION_ENDPOINT_URL": f"http://{ACTIONS_HOST}:{c.actions_port}/webhook",
                "ACTION_SERVER_TOKEN": c.action_server_token,
                "GATEWAY_HOST": c.gateway_host,
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.setdefault("PUBLIC_BASE_URL", f"http://{c.host}:{c.gateway_port}")
        return env

    def _services(self) -> Iterable[Service]:
        c = self.config
        if c.own_redis:
            redis_dir = c.var_dir / "redis"
            redis_dir.mkdir(parents=True, exist_ok=True)
            yield Service(
                "redis",
                # "-": the configuration comes on standard input, so the password is in no
                # file and on no command line.
                ["redis-server", "-"],
                lambda: redis_ok(c.effective_redis_url),
                url=f"redis://{c.host}:{c.redis_port}/0",
                start_timeout=15,
                stdin=redis_config(c.redis_port, c.host, redis_dir, c.redis_password).encode(),
            )
        yield Service(
            "actions",
            ["bash", "bot/run-actions.sh"],
            lambda: http_ok(f"http://{ACTIONS_HOST}:{c.actions_port}/health"),
            url=f"http://{ACTIONS_HOST}:{c.actions_port}",
            env={"ACTIONS_HOST": ACTIONS_HOST, "ACTIONS_PORT": str(c.actions_port)},
            nice=BOT_NICENESS,
        )
        yield Service(
            "rasa",
            ["bash", "bot/run.sh"],
            lambda: http_ok(f"http://{c.host}:{c.rasa_port}/"),
            url=f"http://{c.host}:{c.rasa_port}",
            # RASA_TOKEN comes with the environment; bot/serve.py reads it there.
            env={"RASA_HOST": c.host, "RASA_PORT": str(c.rasa_port)},
            start_timeout=180,
            nice=BOT_NICENESS,
        )
        yield Service(
            "gateway",
            [
                str(APP_BIN / "uvicorn"),
                "api.main:create_app",
                "--factory",
                "--host",
                c.gateway_host,
                "--port",
                str(c.gateway_port),
                "--no-access-log",
                "--proxy-headers",
                "--workers",
                str(c.gateway_workers),
            ],
            # Any answer from /healthz: the gateway is up (it says 503 until the others are), and
            # it is there in production, where /openapi.json is not.
            lambda: http_answers(f"http://{_connect_host(c.gateway_host)}:{c.gateway_port}/healthz"),
            url=f"http://{_connect_host(c.gateway_host)}:{c.gateway_port}",
        )
        yield Service(
            "worker",
            [str(APP_BIN / "python"), "-m", "api.worker"],
            lambda: self._worker_ready("worker"),
            nice=BOT_NICENESS,
        )
        # The urgent lane (api/worker/urgent.py): safety and holding replies. At the gateway's
        # priority, not the bot's: under load it must not wait behind bot turns.
        yield Service(
            "urgent",
            [str(APP_BIN / "python"), "-m", "api.worker", "--lane", "urgent"],
            lambda: self._worker_ready("urgent", ":urgent"),
        )

    def _worker_ready(self, name: str, lane: str = "") -> bool:
        """A worker is up when its process lives and its arq heartbeat key is in Redis."""
        process = self.services[name].process
        if process is None or process.poll() is not None:
            return False
        queue = self.env.get("QUEUE_NAME", "wellbeing:queue") + lane
        try:
            client = redis.Redis.from_url(self.env["REDIS_URL"], socket_timeout=2)
            with client:
                return bool(client.exists(f"{queue}:health-check"))
        except redis.RedisError:
            return False

    # -- running ---------------------------------------------------------------------------
    def migrate(self) -> None:
        subprocess.run(
            [str(APP_BIN / "alembic"), "upgrade", "head"],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self, names: Iterable[str] | None = None) -> None:
        wanted = list(names) if names is not None else [n for n in self.ORDER if n in self.services]
        for name in wanted:
            self.start_service(name)

    def start_service(self, name: str) -> None:
        service = self.services[name]
        if service.process is not None and service.process.poll() is None:
            return
        log = open(self.log_dir / f"{name}.log", "ab")
        service.process = subprocess.Popen(
            [*DIE_WITH_PARENT, "nice", "-n", str(service.nice), *service.argv],
            cwd=ROOT,
            env={**self.env, **service.env},
            stdin=subprocess.DEVNULL if service.stdin is None else subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        if service.stdin is not None and service.process.stdin is not None:
            with service.process.stdin:
                service.process.stdin.write(service.stdin)
        if service.nice:
            set_session_niceness(service.process.pid, service.nice)
        deadline = time.monotonic() + service.start_timeout
        while not service.ready():
            if service.process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {service.process.returncode}; see {self.log_dir}/{name}.log"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} was not ready in {service.start_timeout:.0f}s; see its log")
            time.sleep(0.2)

    def signal_service(self, name: str, sig: int) -> None:
        process = self.services[name].process
        if process is not None and process.poll() is None:
            os.killpg(process.pid, sig)

    def stop_service(self, name: str, timeout: float = 15) -> None:
        process = self.services[name].process
        if process is None:
            return
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.services[name].process = None

    def stop(self) -> None:
        for name in reversed(self.ORDER):
            if name in self.services:
                self.stop_service(name)

    def exited(self) -> list[str]:
        return [
            s.name for s in self.services.values() if s.process is not None and s.process.poll() is not None
        ]

    def urls(self) -> dict[str, str]:
        return {name: s.url for name, s in self.services.items() if s.url}


class Restarts:
    """When a crashed process is started again: always, unless it crashed `limit` times within
    `window` seconds (then something is wrong that restarting will not fix)."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self._crashes: dict[str, list[float]] = {}

    def allow(self, name: str, now: float) -> bool:
        recent = [t for t in self._crashes.get(name, []) if now - t < self.window]
        recent.append(now)
        self._crashes[name] = recent
        return len(recent) <= self.limit


def fail(message: str) -> None:
    print(message, file=sys.stderr)
    raise SystemExit(1)
