"""Bot turn cost: NLU and dialogue time per message, per language, and where a turn's time goes.

    .venv-bot/bin/python -m bench.turns [--out bench/results/turns.json] [--repeat N] [--quick]

Runs in the bot environment, in-process, with the trained model (models/current.tar.gz) loaded
as `rasa run` loads it (bot/endpoints.yml: our Redis tracker store, bot.stores, and Redis lock
store; the action server), with the jsonschema that bot/requirements.txt pins. It starts its own
Redis (temporary directory, free port, no persistence) and its own action server
(bot/run-actions.sh on a free port) and stops both at the end.

- NLU: `processor.parse_message` on every held-out message (tests/nlu/<lang>_test.yml).
- Dialogue: `agent.handle_message` with the message's NLU result handed in (so NLU does not run),
  in-memory tracker and lock stores; policies, actions (custom ones over HTTP) and tracker handling.
- Whole turn: `agent.handle_message` with NLU, the Redis tracker and lock stores and the action
  server: what `POST /webhooks/rest/webhook` costs inside Rasa. Each timed message is the second
  of its conversation (a greeting is stored first), like most turns.
- Conversation length: turns 1 to L of a few conversations, with the tracker's size in Redis, with
  our store's merge (bot/stores.py) and with Rasa's stock RedisTrackerStore merge put back.
- Profile: cProfile of whole turns, grouped into buckets, plus the top functions; GC time.
- Experiments, each before/after in this run: jsonschema 4.17.3 (installed into a temporary
  directory) against the pinned version on the action server's real answers (child processes),
  the schema check with a validator built once, the Redis vs in-memory lock store, the domain sent
  with every custom action, the logistic regression's coefficient layout, and thread variables
  (child processes, as they act at import).
Nothing in the project is changed: experiments patch this process (or a child's path) only.

Only the standard library at module level: `markdown(result)` renders the docs/benchmarks.md
section from the JSON and is importable from the app environment too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import cProfile
import functools
import gc
import json
import os
import platform
import pstats
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "current.tar.gz"
ENDPOINTS = ROOT / "bot" / "endpoints.yml"
RESULTS = ROOT / "bench" / "results" / "turns.json"
LANGS = ("en", "bn", "ur", "pl", "ro", "pt")
THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "TF_INTRA_OP_PARALLELISM_THREADS",
    "TF_INTER_OP_PARALLELISM_THREADS",
)
OPENER = "hello"  # stored as the first message of every timed conversation
OLD_JSONSCHEMA = "4.17.3"  # what bot/requirements.txt pinned before jsonschema==3.2.0
# The earlier run (jsonschema 4.17.3 in .venv-bot), quoted only if 4.17.3 cannot be installed here.
EARLIER_SCHEMA_RUN = {
    "date": "2026-11-22",
    "jsonschema": "4.17.3",
    "check_ms_per_turn": 15.2,
    "share_of_turn_pct": 46,
    "validate_ms": 18.4,
}


# ----------------------------------------------------------------------------------------------
# small helpers (stdlib only)


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(values_s: list[float]) -> dict[str, float]:
    """p50, p95, mean in ms from seconds."""
    ms = [v * 1000 for v in values_s]
    return {
        "n": len(ms),
        "p50": round(pct(ms, 50), 2),
        "p95": round(pct(ms, 95), 2),
        "mean": round(statistics.fmean(ms), 2) if ms else float("nan"),
    }


def proc_status() -> dict[str, float]:
    """RSS (MB), peak RSS (MB) and OS threads of this process (Linux /proc)."""
    out: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = round(int(value.split()[0]) / 1024, 1)
            elif key == "Threads":
                out["threads"] = int(value)
    return {
        "rss_mb": out.get("VmRSS", 0.0),
        "peak_rss_mb": out.get("VmHWM", 0.0),
        "threads": out.get("threads", 0),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=1) as response:
        return response.status == 200


def quiet_env() -> None:
    """What bot/env.sh sets for every Rasa process (only where not set already)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    import warnings

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=UserWarning)


def configure_rasa_logging() -> None:
    """Log levels as `rasa run` has them by default (INFO; structlog filtered the same way)."""
    import logging

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    level = logging.getLevelName(os.environ.get("LOG_LEVEL", "INFO"))
    configure_logging_and_warnings(level, warn_only_once=True, filter_repeated_logs=True)
    configure_structlog(level)
    # The benchmark's own output stays readable: Rasa's INFO lines (model loading) go nowhere.
    logging.getLogger().handlers[:] = [logging.NullHandler()]


def load_test_messages(langs: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """(text, intent) for every held-out message, per language (Rasa's own NLU yml reader)."""
    from rasa.shared.nlu.training_data.loading import load_data

    out = {}
    for lang in langs:
        data = load_data(str(ROOT / "tests" / "nlu" / f"{lang}_test.yml"))
        out[lang] = [(m.get("text"), m.get("intent")) for m in data.intent_examples]
    return out


def spread(items: list[Any], n: int) -> list[Any]:
    """At most n items, evenly spread over the list (test sets are grouped by intent)."""
    if n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def machine_info() -> dict[str, Any]:
    from importlib.metadata import version

    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }
    for package in ("rasa", "rasa-sdk", "scikit-learn", "numpy", "jsonschema", "redis", "uvloop"):
        with contextlib.suppress(Exception):
            info[package] = version(package)
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    return info


# ----------------------------------------------------------------------------------------------
# services: our own Redis and action server (sync code, before and after the event loop)


class Services:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.redis_port = free_port()
        self.actions_port = free_port()
        # Credentials as the running system has them (scripts/stack.py): Redis asks for a
        # password, the action server for a token; both reach the processes off their command lines.
        self.redis_password = secrets.token_urlsafe(32)
        self.actions_token = secrets.token_urlsafe(32)
        self.procs: list[subprocess.Popen[bytes]] = []

    def start_redis(self) -> None:
        server = shutil.which("redis-server")
        if not server:
            raise SystemExit("redis-server is not installed (make setup installs it)")
        config = (
            f'port {self.redis_port}\nbind 127.0.0.1\nsave ""\nappendonly no\ndir "{self.tmp}"\n'
            f"requirepass {self.redis_password}\n"
        )
        redis_server = subprocess.Popen(
            [server, "-"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        assert redis_server.stdin is not None
        with redis_server.stdin:
            redis_server.stdin.write(config.encode())
        self.procs.append(redis_server)
        import redis

        client = redis.Redis(port=self.redis_port, password=self.redis_password, socket_timeout=1)
        wait_until(client.ping, 15, "redis-server")
        client.close()

    def start_actions(self) -> None:
        env = dict(
            os.environ,
            ACTIONS_HOST="127.0.0.1",
            ACTIONS_PORT=str(self.actions_port),
            ACTION_SERVER_TOKEN=self.actions_token,
        )
        log = (self.tmp / "actions.log").open("wb")
        self.procs.append(
            subprocess.Popen(
                ["bash", "bot/run-actions.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        )
        wait_until(lambda: http_ok(f"http://127.0.0.1:{self.actions_port}/health"), 60, "action server")

    def endpoint_env(self) -> None:
        """The variables bot/endpoints.yml reads (as bot/run.sh exports them)."""
        os.environ.update(
            REDIS_HOST="127.0.0.1",
            REDIS_PORT=str(self.redis_port),
            REDIS_DB="0",
            REDIS_PASSWORD=self.redis_password,
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.actions_port}/webhook",
            ACTION_SERVER_TOKEN=self.actions_token,
        )

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


# ----------------------------------------------------------------------------------------------
# instrumentation: wall time of a turn's parts, by wrapping methods of our own instances


class Meter:
    """Accumulates wall seconds per part; `take()` returns and clears them."""

    def __init__(self) -> None:
        self.t: dict[str, float] = defaultdict(float)

    def wrap(self, obj: Any, attr: str, name: str) -> None:
        original = getattr(obj, attr)
        t = self.t
        if asyncio.iscoroutinefunction(original):

            @functools.wraps(original)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    t[name] += time.perf_counter() - started

            setattr(obj, attr, timed_async)
        else:

            @functools.wraps(original)
            def timed(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    t[name] += time.perf_counter() - started

            setattr(obj, attr, timed)

    def take(self) -> dict[str, float]:
        out = dict(self.t)
        self.t.clear()
        return out


@contextlib.contextmanager
def graph_node_timer(processor: Any, acc: dict[str, float]) -> Any:
    """Times each node of the model's graph (NLU components here), through Rasa's GraphNode._fn."""
    import re

    nodes = getattr(processor.graph_runner, "_instantiated_nodes", {})
    saved = {}
    for name, node in nodes.items():
        if callable(getattr(node, "_fn", None)):
            saved[name] = node._fn
            label = re.sub(r"^run_|\d+$", "", name)
            analyzer = (getattr(node, "_component_config", None) or {}).get("analyzer")
            if analyzer:
                label += f" ({analyzer})"

            def timed(*args: Any, _fn: Any = node._fn, _label: str = label, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return _fn(*args, **kwargs)
                finally:
                    acc[_label] += time.perf_counter() - started

            node._fn = timed
    try:
        yield
    finally:
        for name, fn in saved.items():
            nodes[name]._fn = fn


def current_config(agent: Any) -> dict[str, Any]:
    """The configuration measured: the tracker store bot/endpoints.yml loaded, the jsonschema in use."""
    from importlib.metadata import version

    from rasa.core.tracker_store import RedisTrackerStore

    store_class = type(innermost_store(agent.tracker_store))
    own = store_class.__dict__.get("_merge_trackers")
    return {
        "tracker_store": f"{store_class.__module__}.{store_class.__qualname__}",
        "tracker_store_overrides_merge": own is not None
        and own is not RedisTrackerStore.__dict__["_merge_trackers"],
        "lock_store": type(agent.lock_store).__name__,
        "jsonschema": version("jsonschema"),
    }


def innermost_store(store: Any) -> Any:
    while getattr(store, "_tracker_store", None) is not None:
        store = store._tracker_store
    return store


class Bot:
    """One loaded model, several agents sharing it (different tracker and lock stores)."""

    def __init__(self, agent: Any) -> None:
        self.base = agent
        self.meter = Meter()
        self.http_meter_installed = False
        self.counter = 0
        self.opener_events: dict[int, list[Any]] = {}
        self.checks = 0  # action server answers checked (RemoteAction._validate_action_result calls)
        self.record_answers = False
        self.answers: dict[str, Any] = {}  # distinct real answers of the action server, by their JSON

    def agent(self, tracker_store: Any, lock_store: Any, meter: bool = False) -> Any:
        from rasa.core.agent import Agent

        agent = Agent(
            domain=self.base.domain,
            tracker_store=tracker_store,
            lock_store=lock_store,
            action_endpoint=self.base.action_endpoint,
        )
        processor = copy.copy(self.base.processor)
        processor.tracker_store = agent.tracker_store
        processor.lock_store = agent.lock_store
        processor.nlg = agent.nlg
        agent.processor = processor
        if meter:
            self.instrument(agent)
        return agent

    def instrument(self, agent: Any) -> None:
        from rasa.core.actions.action import RemoteAction

        m = self.meter
        p = agent.processor
        store = innermost_store(agent.tracker_store)
        m.wrap(store, "retrieve", "tracker load")
        m.wrap(store, "save", "tracker save")
        m.wrap(p, "_parse_message_with_graph", "NLU")
        m.wrap(p, "run_action_extract_slots", "slot extraction")
        m.wrap(p, "predict_next_with_tracker_if_should", "policies")
        m.wrap(p, "_run_action", "actions")
        m.wrap(p, "handle_message", "processor")
        if not self.http_meter_installed:  # class level: every agent's custom action calls
            m.wrap(RemoteAction, "run", "custom actions (HTTP)")
            m.wrap(RemoteAction, "_validate_action_result", "action response check (jsonschema)")
            self.record_checks(RemoteAction)
            self.http_meter_installed = True

    def record_checks(self, remote_action: Any) -> None:
        """Counts the checks of action server answers and, while `record_answers`, keeps each
        distinct answer (outside the metered time)."""
        checked = remote_action._validate_action_result

        @functools.wraps(checked)
        def record(action: Any, answer: Any) -> Any:
            self.checks += 1
            if self.record_answers and len(self.answers) < 200:
                with contextlib.suppress(TypeError, ValueError):
                    self.answers.setdefault(json.dumps(answer, sort_keys=True), copy.deepcopy(answer))
            return checked(action, answer)

        remote_action._validate_action_result = record

    def message(self, text: str, sender: str, lang: str, parse_data: dict | None = None) -> Any:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        self.counter += 1
        return UserMessage(
            text,
            CollectingOutputChannel(),
            sender,
            parse_data=copy.deepcopy(parse_data) if parse_data else None,
            input_channel="rest",
            metadata={"message_id": str(self.counter), "language": lang},
        )

    async def seed(self, agent: Any, sender: str) -> None:
        """Store a one-greeting conversation under `sender` (so the next turn is its second)."""
        from rasa.shared.core.trackers import DialogueStateTracker

        key = id(agent)
        if key not in self.opener_events:
            template = f"opener-{key}"
            await agent.handle_message(self.message(OPENER, template, "en"))
            tracker = await agent.tracker_store.retrieve_full_tracker(template)
            self.opener_events[key] = list(tracker.events)
        tracker = DialogueStateTracker.from_events(
            sender, copy.deepcopy(self.opener_events[key]), slots=agent.domain.slots
        )
        await agent.tracker_store.save(tracker)

    async def turn(
        self, agent: Any, text: str, sender: str, lang: str, parse_data: dict | None = None
    ) -> float:
        message = self.message(text, sender, lang, parse_data)
        started = time.perf_counter()
        await agent.handle_message(message)
        return time.perf_counter() - started


def breakdown(parts: dict[str, float], total: float) -> dict[str, float]:
    """A turn's wall time by part (seconds), disjoint, with `lock store` and `other` derived."""
    processor = parts.get("processor", 0.0)
    named = ("tracker load", "NLU", "slot extraction", "policies", "actions", "tracker save")
    out = {name: parts.get(name, 0.0) for name in named}
    remote = min(parts.get("custom actions (HTTP)", 0.0), out["actions"] + out["slot extraction"])
    out["actions"] -= min(remote, out["actions"])
    check = min(parts.get("action response check (jsonschema)", 0.0), remote)
    out["custom actions (HTTP)"] = remote - check
    out["action response check (jsonschema)"] = check
    out["lock store"] = max(0.0, total - processor)
    out["other"] = max(0.0, processor - sum(parts.get(n, 0.0) for n in named))
    return out


# ----------------------------------------------------------------------------------------------
# profile buckets


def profile_buckets(stats: pstats.Stats, wall: float) -> list[dict[str, Any]]:
    """Disjoint buckets from cProfile's cumulative times of a few entry points, as shares of the
    turns' wall time. Time outside Python (the event loop waiting, in uvloop's C code, for the
    action server's answer) is not seen by cProfile: it is the wall time the profile misses."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.lock_store import LockStore
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import RedisTrackerStore

    raw = stats.stats  # type: ignore[attr-defined]
    seen = stats.total_tt  # type: ignore[attr-defined]
    total = max(wall, seen)

    def cum(fn: Any) -> float:
        while hasattr(fn, "__wrapped__"):  # our meter's (and recorder's) wrappers
            fn = fn.__wrapped__
        code = fn.__code__
        entry = raw.get((code.co_filename, code.co_firstlineno, code.co_name))
        return entry[3] if entry else 0.0

    def nlu_component(folder: str) -> float:
        return sum(
            v[3] for (f, _, name), v in raw.items() if name == "process" and f"/rasa/nlu/{folder}/" in f
        )

    nlu_total = cum(MessageProcessor._parse_message_with_graph)
    nlu = {
        "NLU: tokenizer + entity extractors": nlu_component("tokenizers") + nlu_component("extractors"),
        "NLU: featurizers (count vectors, regex)": nlu_component("featurizers"),
        "NLU: classifiers (logistic regression, fallback)": nlu_component("classifiers"),
    }
    nlu["NLU: graph runner (dask) and message objects"] = max(0.0, nlu_total - sum(nlu.values()))
    remote = cum(RemoteAction.run)
    check = cum(RemoteAction._validate_action_result)
    actions = cum(MessageProcessor._run_action) + cum(MessageProcessor.run_action_extract_slots)
    polls = ("'poll' of 'select", "'select' of 'select")
    waiting = (
        total
        - seen
        + sum(v[2] for (f, _, name), v in raw.items() if f == "~" and any(p in name for p in polls))
    )
    buckets = {
        **nlu,
        "policies (rule + memoization, tracker states)": cum(
            MessageProcessor.predict_next_with_tracker_if_should
        ),
        "tracker store load (Redis GET + deserialise)": cum(RedisTrackerStore.retrieve),
        "tracker store save (GET, merge, serialise, SET)": cum(RedisTrackerStore.save),
        "lock store (Redis ticket lock)": cum(LockStore.lock),
        "custom actions: request (whole tracker + domain as JSON) and HTTP client": remote - check,
        "custom actions: checking the answer against Rasa's event schema (jsonschema)": check,
        "built-in actions, forms, responses, events": max(0.0, actions - remote),
        "waiting for the action server (event loop idle, outside Python)": waiting,
    }
    buckets["other (session handling, events, asyncio)"] = max(0.0, total - sum(buckets.values()))
    return [
        {"bucket": k, "seconds": round(v, 4), "pct": round(100 * v / total, 1) if total else 0.0}
        for k, v in buckets.items()
    ]


def top_functions(stats: pstats.Stats, key: int, n: int) -> list[dict[str, Any]]:
    raw = stats.stats  # type: ignore[attr-defined]
    total = stats.total_tt  # type: ignore[attr-defined]
    own_code = str(Path(__file__).resolve())
    rows = sorted(
        ((k, v) for k, v in raw.items() if k[0] != own_code), key=lambda kv: kv[1][key], reverse=True
    )[:n]
    out = []
    for (filename, line, name), (_cc, calls, own, cumulative, _callers) in rows:
        where = filename
        for marker in ("site-packages/", str(ROOT) + "/", "lib/python3.11/"):
            if marker in where:
                where = where.split(marker, 1)[1]
                break
        label = f"{where}:{line}({name})" if filename != "~" else name
        out.append(
            {
                "function": label,
                "calls": calls,
                "own_s": round(own, 4),
                "cum_s": round(cumulative, 4),
                "own_pct": round(100 * own / total, 1),
                "cum_pct": round(100 * cumulative / total, 1),
            }
        )
    return out


def conversation_script(items: list[tuple[str, str]], length: int, seed: int) -> list[tuple[str, str]]:
    """`length` messages of one language in a fixed shuffled order (repeating if needed)."""
    script = random.Random(seed).sample(items, min(length, len(items)))
    while len(script) < length:
        script += script[: length - len(script)]
    return script


@contextlib.contextmanager
def merge_variant(store_class: Any, variant: str) -> Any:
    """ "stock": Rasa's own RedisTrackerStore._merge_trackers on our store's class, for the block;
    "ours": the class as it is."""
    from rasa.core.tracker_store import RedisTrackerStore

    own = store_class.__dict__.get("_merge_trackers")
    if variant == "stock":
        store_class._merge_trackers = RedisTrackerStore.__dict__["_merge_trackers"]
    try:
        yield
    finally:
        if own is not None:
            store_class._merge_trackers = own
        elif "_merge_trackers" in store_class.__dict__:
            del store_class._merge_trackers


def event_names(store: Any, sender: str) -> list[tuple[str, Any, Any]]:
    events = json.loads(store.red.get(store.key_prefix + sender))["events"]
    return [(e["event"], e.get("name"), e.get("text")) for e in events]


def stored_sessions(store: Any, sender: str) -> list[Any]:
    """The stored tracker split as Rasa splits it into sessions (at each action_session_start)."""
    from rasa.shared.core.trackers import get_trackers_for_conversation_sessions

    full = store.deserialise_tracker(sender, store.red.get(store.key_prefix + sender))
    return get_trackers_for_conversation_sessions(full)


# ----------------------------------------------------------------------------------------------
# the measurements


async def measure(args: argparse.Namespace, services: Services, result: dict[str, Any]) -> None:
    from rasa.core.agent import load_agent
    from rasa.core.lock_store import InMemoryLockStore, LockStore
    from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
    from rasa.core.utils import AvailableEndpoints

    q = args.quick
    repeat = args.repeat
    per_lang = 8 if q else args.turns_per_lang
    langs = LANGS

    # -- model load, as `rasa run` does it (endpoints from bot/endpoints.yml) ------------------
    # and as bot/serve.py starts it: the action server's answers checked with a validator built once
    from rasa.core.actions.action import RemoteAction

    from bot import serve

    _STOCK["schema_check"] = RemoteAction._validate_action_result
    serve.install()
    services.endpoint_env()
    endpoints = AvailableEndpoints.read_endpoints(str(ENDPOINTS))
    before = proc_status()
    started = time.perf_counter()
    agent = await load_agent(model_path=str(MODEL), endpoints=endpoints)
    load_s = time.perf_counter() - started
    if not agent.is_ready():
        raise SystemExit(f"could not load {MODEL}")
    gc.collect()
    after = proc_status()
    result["config"] = current_config(agent)
    result["model"] = {
        "path": str(MODEL.relative_to(ROOT)),
        "size_mb": round(MODEL.stat().st_size / 2**20, 2),
        "import_s": result.pop("_import_s"),
        "load_s": round(load_s, 2),
        "rss_mb_before_load": before["rss_mb"],
        "rss_mb_after_load": after["rss_mb"],
        "threads_after_load": after["threads"],
        "gc_tracked_objects": len(gc.get_objects()),
    }
    print(
        f"model: import rasa {result['model']['import_s']:.1f} s, load {load_s:.1f} s, "
        f"RSS {after['rss_mb']:.0f} MB ({after['threads']} threads); tracker store "
        f"{result['config']['tracker_store']}, jsonschema {result['config']['jsonschema']}",
        flush=True,
    )
    if not result["config"]["tracker_store_overrides_merge"]:
        print("  (this tracker store does not override _merge_trackers: ours = stock below)", flush=True)
    await asyncio.to_thread(services.start_actions)  # after the load, so that it does not compete

    bot = Bot(agent)
    redis_agent = bot.agent(agent.tracker_store, agent.lock_store, meter=True)
    memory_agent = bot.agent(InMemoryTrackerStore(agent.domain), InMemoryLockStore())
    processor = agent.processor

    messages = load_test_messages(langs)
    if q:
        messages = {lang: spread(items, per_lang) for lang, items in messages.items()}
    samples = {lang: spread(items, per_lang) for lang, items in messages.items()}
    result["_samples"] = samples

    # warm-up: first calls pay for lazy imports and caches
    for text, _ in samples["en"][:3]:
        await processor.parse_message(bot.message(text, "warm", "en"))
    await bot.turn(redis_agent, OPENER, "warm-redis", "en")
    await bot.turn(memory_agent, OPENER, "warm-memory", "en")
    bot.meter.take()

    # -- 1. NLU per message ---------------------------------------------------------------------
    from rasa.core.channels.channel import UserMessage

    nlu_times: dict[str, list[float]] = {lang: [] for lang in langs}
    parsed: dict[str, dict[str, Any]] = {}
    components: dict[str, float] = defaultdict(float)
    with graph_node_timer(processor, components):
        for _ in range(repeat):
            for lang in langs:
                for text, _intent in messages[lang]:
                    message = UserMessage(text, sender_id="nlu")
                    started = time.perf_counter()
                    parse = await processor.parse_message(message)
                    nlu_times[lang].append(time.perf_counter() - started)
                    parsed[text] = parse
    parses = sum(len(v) for v in nlu_times.values())
    nlu_total = sum(sum(v) for v in nlu_times.values())
    components["graph runner (dask), parse result"] = nlu_total - sum(components.values())
    result["nlu_components"] = [
        {"component": k, "ms": round(1000 * v / parses, 3), "pct": round(100 * v / nlu_total, 1)}
        for k, v in sorted(components.items(), key=lambda kv: -kv[1])
        if v / nlu_total >= 0.005
    ]
    predicted_right = {
        lang: sum(parsed[t]["intent"]["name"] == i for t, i in messages[lang]) for lang in langs
    }

    # -- 2. dialogue (NLU handed in, in-memory stores) and whole turns (Redis) -------------------
    dialogue: dict[str, list[float]] = {lang: [] for lang in langs}
    whole: dict[str, list[float]] = {lang: [] for lang in langs}
    parts_sum: dict[str, float] = defaultdict(float)
    whole_total = 0.0
    gc_log: list[tuple[int, float]] = []
    gc_started = [0.0]

    def gc_callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_log.append((info["generation"], time.perf_counter() - gc_started[0]))

    checks = 0
    bot.record_answers = True
    gc.callbacks.append(gc_callback)
    try:
        for r in range(repeat):
            for lang in langs:
                for i, (text, _intent) in enumerate(samples[lang]):
                    sender = f"d-{lang}-{r}-{i}"
                    await bot.seed(memory_agent, sender)
                    dialogue[lang].append(await bot.turn(memory_agent, text, sender, lang, parsed[text]))
                    sender = f"w-{lang}-{r}-{i}"
                    await bot.seed(redis_agent, sender)
                    bot.meter.take()
                    checked_before = bot.checks
                    took = await bot.turn(redis_agent, text, sender, lang)
                    checks += bot.checks - checked_before
                    whole[lang].append(took)
                    whole_total += took
                    for k, v in breakdown(bot.meter.take(), took).items():
                        parts_sum[k] += v
    finally:
        gc.callbacks.remove(gc_callback)
        bot.record_answers = False
    turns_done = sum(len(v) for v in whole.values())

    rows = {}
    for lang in langs:
        rows[lang] = {
            "messages": len(messages[lang]),
            "intent_right": predicted_right[lang],
            "turn_sample": len(samples[lang]),
            "nlu": summary(nlu_times[lang]),
            "dialogue": summary(dialogue[lang]),
            "whole": summary(whole[lang]),
        }
    rows["all"] = {
        "messages": sum(len(messages[lang]) for lang in langs),
        "intent_right": sum(predicted_right.values()),
        "turn_sample": sum(len(samples[lang]) for lang in langs),
        "nlu": summary([t for lang in langs for t in nlu_times[lang]]),
        "dialogue": summary([t for lang in langs for t in dialogue[lang]]),
        "whole": summary([t for lang in langs for t in whole[lang]]),
    }
    result["languages"] = rows
    result["breakdown"] = {
        "turns": turns_done,
        "mean_turn_ms": round(1000 * whole_total / turns_done, 2),
        "action_checks_per_turn": round(checks / turns_done, 3),
        "parts": [
            {"part": k, "ms": round(1000 * v / turns_done, 3), "pct": round(100 * v / whole_total, 1)}
            for k, v in sorted(parts_sum.items(), key=lambda kv: -kv[1])
        ],
        "gc": {
            "collections": {str(g): sum(1 for gen, _ in gc_log if gen == g) for g in (0, 1, 2)},
            # over the dialogue and the whole turns (and their seeding)
            "ms_per_turn": round(1000 * sum(t for _, t in gc_log) / (2 * turns_done), 3),
            "gen2_ms_max": round(1000 * max([t for g, t in gc_log if g == 2], default=0.0), 2),
        },
    }
    print_table(result)

    # -- 3. conversation length (Redis): our store's merge and Rasa's stock merge ----------------
    length = 20 if q else args.length
    conversations = 1 if q else args.conversations
    positions = sorted({1, 2, 5, 10, 20, 40, length} & set(range(1, length + 1)))
    variants = ("ours", "stock")
    per_position: dict[str, dict[int, list[float]]] = {v: defaultdict(list) for v in variants}
    parts_at: dict[str, dict[int, dict[str, list[float]]]] = {
        v: defaultdict(lambda: defaultdict(list)) for v in variants
    }
    size_at: dict[int, list[tuple[int, int]]] = defaultdict(list)
    sessions_seen: list[int] = []
    same: list[bool] = []
    store = innermost_store(redis_agent.tracker_store)
    for c in range(conversations):
        lang = langs[c % len(langs)]
        script = conversation_script(messages[lang], length, seed=c)
        for position, (text, _) in enumerate(script, start=1):
            order = variants if position % 2 else variants[::-1]
            for variant in order:
                sender = f"long-{c}-{variant}"
                with merge_variant(type(store), variant):
                    bot.meter.take()
                    took = await bot.turn(redis_agent, text, sender, lang)
                    parts = breakdown(bot.meter.take(), took)
                for p in positions:
                    if abs(p - position) <= (0 if p <= 2 else 2):
                        per_position[variant][p].append(took)
                        for k, v in parts.items():
                            parts_at[variant][p][k].append(v)
                if variant == "ours" and position in positions:
                    stored = store.red.get(store.key_prefix + sender) or "{}"
                    events = len(json.loads(stored).get("events", []))
                    size_at[position].append((events, len(stored.encode())))
                    if position == length:
                        sessions_seen.append(len(stored_sessions(store, sender)))
            if position == length:
                names = [event_names(store, f"long-{c}-{v}") for v in variants]
                same.append(all(n == names[0] for n in names))

    def mean_parts(variant: str, p: int) -> dict[str, float]:
        return {k: round(1000 * statistics.fmean(v), 3) for k, v in parts_at[variant][p].items()}

    result["conversation"] = {
        "length": length,
        "conversations": conversations,
        "note": "per position over the conversations; positions > 2 take the 5 turns around them; "
        "parts are means; ours: the tracker store bot/endpoints.yml names; stock: the same "
        "store with RedisTrackerStore's own _merge_trackers put back",
        "store": result["config"]["tracker_store"],
        "store_overrides_merge": result["config"]["tracker_store_overrides_merge"],
        "stored_sessions_at_end": sessions_seen,
        "stores_the_same_events": all(same),
        "positions": [
            {
                "position": p,
                "turn_ours": summary(per_position["ours"][p]),
                "turn_stock": summary(per_position["stock"][p]),
                "events": round(statistics.fmean(e for e, _ in size_at[p])),
                "tracker_kb": round(statistics.fmean(b for _, b in size_at[p]) / 1024, 1),
                "parts_ms_ours": mean_parts("ours", p),
                "parts_ms_stock": mean_parts("stock", p),
            }
            for p in positions
        ],
    }
    print_conversation(result)

    # -- 4. profile of whole turns ---------------------------------------------------------------
    profile_turns = 20 if q else args.profile_turns
    script = [m for lang in langs for m in samples[lang]]
    script = random.Random(7).sample(script, min(len(script), profile_turns))
    conv_len = 20
    profiler = cProfile.Profile()
    wall = 0.0
    for i, (text, _) in enumerate(script):
        sender = f"prof-{i // conv_len}"
        profiler.enable()
        wall += await bot.turn(redis_agent, text, sender, "en")
        profiler.disable()
    stats = pstats.Stats(profiler)
    buckets = profile_buckets(stats, wall)
    result["profile"] = {
        "turns": len(script),
        "conversation_length": conv_len,
        "profiled_s": round(wall, 3),
        "ms_per_turn_under_profiler": round(1000 * wall / len(script), 2),
        "buckets": buckets,
        "top_cumulative": top_functions(stats, 3, 15),
        "top_own": top_functions(stats, 2, 15),
    }
    print_profile(result)

    # -- 5. experiments, same run, interleaved A/B ------------------------------------------------
    experiments = result.setdefault("experiments", [])
    ab_sample = [m for lang in langs for m in spread(samples[lang], 4 if q else args.ab_per_lang)]

    # 5a. Redis lock store vs in-memory lock store (tracker store stays Redis)
    memlock_agent = bot.agent(TrackerStore.create(endpoints.tracker_store, agent.domain), InMemoryLockStore())
    redis_lock_agent = bot.agent(
        TrackerStore.create(endpoints.tracker_store, agent.domain), LockStore.create(endpoints.lock_store)
    )
    a_times, b_times = await ab_turns(bot, redis_lock_agent, memlock_agent, ab_sample, "lock")
    experiments.append(
        ab_result(
            "lock_store",
            "Rasa lock store: Redis (bot/endpoints.yml) vs in-memory",
            "whole turn",
            a_times,
            b_times,
        )
    )

    # 5b. the whole domain sent with every custom action call vs only where needed
    experiments.append(await selective_domain(bot, agent, endpoints, ab_sample))

    # 5c. jsonschema.validate() on every action server answer (it re-checks Rasa's schema against
    # the JSON Schema meta-schema each time) vs a validator built once, with the pinned jsonschema
    plain = bot.agent(
        TrackerStore.create(endpoints.tracker_store, agent.domain), LockStore.create(endpoints.lock_store)
    )
    a_times, b_times = await ab_turns(
        bot, plain, plain, ab_sample, "schema", context_a=stock_schema_check, context_b=prebuilt_validator
    )
    experiments.append(
        ab_result(
            "schema_check",
            "action server answers checked with jsonschema.validate() vs a validator built once "
            f"(jsonschema {result['config']['jsonschema']})",
            "whole turn",
            a_times,
            b_times,
            jsonschema=result["config"]["jsonschema"],
        )
    )
    # inputs of the jsonschema version comparison (child processes, after the event loop)
    from rasa.core.actions.action import RemoteAction

    result["_schema_inputs"] = {
        "schema": RemoteAction.action_response_format_spec(),
        "answers": list(bot.answers.values()),
    }

    # 5d. NLU: the logistic regression's coefficients in C order (as trained) vs Fortran order
    lr_layout = await coefficient_layout(processor, [t for t, _ in ab_sample])
    if lr_layout:
        experiments.append(lr_layout)
    print_experiments(result)


async def coefficient_layout(processor: Any, texts: list[str]) -> dict[str, Any] | None:
    """scikit-learn scores a message as X @ coef_.T; scipy copies coef_.T into C order on every call
    (the whole classes x features matrix). Stored in Fortran order, coef_.T needs no copy: the same
    numbers, the same probabilities."""
    import numpy as np
    from rasa.core.channels.channel import UserMessage

    nodes = getattr(processor.graph_runner, "_instantiated_nodes", {})
    clf = next(
        (
            getattr(n._component, "clf", None)
            for n in nodes.values()
            if hasattr(getattr(getattr(n, "_component", None), "clf", None), "coef_")
        ),
        None,
    )
    if clf is None:
        return None
    loaded = clf.coef_  # Fortran order already when bot/components.py's classifier loaded it
    c_order = np.ascontiguousarray(loaded)
    f_order = np.asfortranarray(loaded)
    times: dict[str, list[float]] = {"C": [], "F": []}
    same = True
    try:
        for i, text in enumerate(texts):
            parses = {}
            for layout in "CF" if i % 2 else "FC":
                clf.coef_ = c_order if layout == "C" else f_order
                started = time.perf_counter()
                parses[layout] = await processor.parse_message(UserMessage(text, sender_id="nlu"))
                times[layout].append(time.perf_counter() - started)
            same = same and parses["C"]["intent_ranking"] == parses["F"]["intent_ranking"]
    finally:
        clf.coef_ = loaded
    return ab_result(
        "lr_coef_layout",
        "logistic regression coefficients as trained (C order) vs Fortran order (same values)",
        "NLU per message",
        times["C"],
        times["F"],
        coef_shape=list(c_order.shape),
        same_intent_rankings=bool(same),
    )


async def ab_turns(
    bot: Bot,
    agent_a: Any,
    agent_b: Any,
    sample: list[tuple[str, str]],
    tag: str,
    context_b: Any = contextlib.nullcontext,
    context_a: Any = contextlib.nullcontext,
) -> tuple[list[float], list[float]]:
    """Whole second turns on the same messages, alternating which variant goes first."""
    a_times: list[float] = []
    b_times: list[float] = []
    for i, (text, _) in enumerate(sample):
        pair = [(agent_a, a_times, "a", context_a), (agent_b, b_times, "b", context_b)]
        if i % 2:
            pair.reverse()
        for agent, times, which, context in pair:
            sender = f"{tag}-{which}-{i}"
            await bot.seed(agent, sender)
            with context():
                times.append(await bot.turn(agent, text, sender, "en"))
    return a_times, b_times


_VALIDATORS: dict[str, Any] = {}
#: Rasa's own functions that bot/serve.py replaces, for the A/B comparisons.
_STOCK: dict[str, Any] = {}


@contextlib.contextmanager
def stock_schema_check() -> Any:
    """Rasa's own check of action server answers (jsonschema.validate() on every answer), in
    place of bot/serve.py's, which the rest of this benchmark runs with, as `rasa run` does."""
    from rasa.core.actions.action import RemoteAction

    ours = RemoteAction._validate_action_result
    RemoteAction._validate_action_result = _STOCK["schema_check"]
    try:
        yield
    finally:
        RemoteAction._validate_action_result = ours


@contextlib.contextmanager
def prebuilt_validator() -> Any:
    """jsonschema.validate with the validator built (and the schema checked) once per schema.
    Same result: the same best_match error is raised for an invalid answer."""
    import jsonschema

    original = jsonschema.validate
    cache = _VALIDATORS

    def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
        key = json.dumps(schema, sort_keys=True)
        validator = cache.get(key)
        if validator is None:
            klass = cls or jsonschema.validators.validator_for(schema)
            klass.check_schema(schema)
            validator = cache[key] = klass(schema, *args, **kwargs)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    jsonschema.validate = validate
    try:
        yield
    finally:
        jsonschema.validate = original


def ab_result(
    key: str, what: str, measure: str, a: list[float], b: list[float], **extra: Any
) -> dict[str, Any]:
    before, after = summary(a), summary(b)
    return {
        "key": key,
        "what": what,
        "measure": measure,
        "before": before,
        "after": after,
        "mean_change_pct": round(100 * (after["mean"] - before["mean"]) / before["mean"], 1),
        "p50_change_pct": round(100 * (after["p50"] - before["p50"]) / before["p50"], 1),
        **extra,
    }


async def selective_domain(bot: Bot, agent: Any, endpoints: Any, sample: list[tuple[str, str]]) -> dict:
    """`enable_selective_domain: true` on the action endpoint, `send_domain: true` only for the form's
    validation action (the one action that reads the domain). Emulated on an in-memory copy of
    the loaded domain: no file changes."""
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import EndpointConfig

    plain = bot.agent(
        TrackerStore.create(endpoints.tracker_store, agent.domain), LockStore.create(endpoints.lock_store)
    )
    selective = bot.agent(
        TrackerStore.create(endpoints.tracker_store, agent.domain), LockStore.create(endpoints.lock_store)
    )
    base = agent.action_endpoint
    endpoint = EndpointConfig(
        base.url, headers=base.headers, params=base.params, token=base.token, enable_selective_domain=True
    )
    selective.action_endpoint = endpoint
    selective.processor = copy.copy(selective.processor)
    selective.processor.action_endpoint = endpoint
    domain = copy.copy(agent.domain)
    needs = [name for name in domain.action_names_or_texts if name.startswith("validate_")]
    domain._actions_which_explicitly_need_domain = needs
    selective.processor.domain = domain
    domain_bytes = len(json.dumps(agent.domain.as_dict()).encode())
    started = time.perf_counter()
    for _ in range(200):
        json.dumps(agent.domain.as_dict())
    as_dict_ms = (time.perf_counter() - started) / 200 * 1000
    # only messages whose turn runs a custom action show a difference; all are timed
    a, b = await ab_turns(bot, plain, selective, sample, "seldom")
    return ab_result(
        "selective_domain",
        "domain sent with every custom action call vs only to " + ", ".join(needs),
        "whole turn",
        a,
        b,
        domain_json_bytes=domain_bytes,
        domain_serialise_ms=round(as_dict_ms, 3),
    )


# ----------------------------------------------------------------------------------------------
# thread settings: child processes (the variables are read when numpy/TF are imported)


def child_nlu(texts_file: str) -> None:
    """Hidden mode: import rasa, load the model, time NLU on the given texts, print JSON."""
    quiet_env()
    started = time.perf_counter()
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage

    import_s = time.perf_counter() - started
    configure_rasa_logging()
    texts = json.loads(Path(texts_file).read_text())
    started = time.perf_counter()
    agent = Agent.load(str(MODEL))
    load_s = time.perf_counter() - started

    async def run() -> list[float]:
        for text in texts[:5]:
            await agent.parse_message(text)
        times = []
        for _ in range(2):
            for text in texts:
                t0 = time.perf_counter()
                await agent.processor.parse_message(UserMessage(text, sender_id="nlu"))
                times.append(time.perf_counter() - t0)
        return times

    times = asyncio.run(run())
    print(
        json.dumps(
            {
                "import_s": round(import_s, 2),
                "load_s": round(load_s, 2),
                "nlu": summary(times),
                **proc_status(),
            }
        )
    )


def thread_experiment(texts: list[str], tmp: Path) -> dict[str, Any]:
    """Fresh processes in the order A B B A; each variant keeps its better run (the machine is shared,
    and a busy neighbour slows a whole process)."""
    texts_file = tmp / "texts.json"
    texts_file.write_text(json.dumps(texts))
    variants = {"default": {}, "one thread": dict.fromkeys(THREAD_VARS, "1")}
    base_env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    all_runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for label in ("default", "one thread", "one thread", "default"):
        proc = subprocess.run(
            [sys.executable, "-m", "bench.turns", "--child-nlu", str(texts_file)],
            cwd=ROOT,
            env=dict(base_env, **variants[label]),
            capture_output=True,
            text=True,
            timeout=180,
        )
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if proc.returncode or not line:
            raise RuntimeError(f"child ({label}) failed: {proc.stderr[-2000:]}")
        all_runs[label].append(json.loads(line[-1]))
    runs = {label: min(rs, key=lambda r: r["nlu"]["mean"]) for label, rs in all_runs.items()}
    a, b = runs["default"], runs["one thread"]
    return {
        "key": "threads",
        "what": "thread variables unset vs " + ", ".join(f"{v}=1" for v in THREAD_VARS),
        "measure": "NLU per message (fresh processes, better of two each)",
        "before": a["nlu"],
        "after": b["nlu"],
        "mean_change_pct": round(100 * (b["nlu"]["mean"] - a["nlu"]["mean"]) / a["nlu"]["mean"], 1),
        "p50_change_pct": round(100 * (b["nlu"]["p50"] - a["nlu"]["p50"]) / a["nlu"]["p50"], 1),
        "runs": runs,
        "all_runs": all_runs,
    }


# ----------------------------------------------------------------------------------------------
# jsonschema versions: child processes, each importing one version (PYTHONPATH decides which)


def child_schema(inputs_file: str) -> None:
    """Hidden mode: import Rasa (as `rasa run` does: the same heap, the same jsonschema import), then
    time jsonschema.validate() with Rasa's action_response_format_spec() (what Rasa calls on every
    answer) and a validator built once, on the given answers; print JSON. PYTHONPATH decides which
    jsonschema this process (and Rasa in it) imports."""
    from importlib.metadata import version

    quiet_env()
    started = time.perf_counter()
    import rasa.core.agent  # noqa: F401
    from rasa.core.actions.action import RemoteAction

    import_s = time.perf_counter() - started
    import jsonschema

    data = json.loads(Path(inputs_file).read_text())
    answers = data["answers"]
    schema = RemoteAction.action_response_format_spec()
    validator = jsonschema.validators.validator_for(schema)(schema)
    rounds = max(1, -(-data.get("calls", 40) // len(answers)))

    def per_call(check: Any) -> dict[str, float]:
        for answer in answers[:3]:
            check(answer)
        times = []
        for _ in range(rounds):
            for answer in answers:
                t0 = time.perf_counter()
                check(answer)
                times.append(time.perf_counter() - t0)
        return summary(times)

    print(
        json.dumps(
            {
                "jsonschema": version("jsonschema"),
                "module": jsonschema.__file__,
                "import_rasa_s": round(import_s, 2),
                "same_schema_as_parent": schema == data.get("schema"),
                "validate": per_call(lambda answer: jsonschema.validate(answer, schema)),
                "prebuilt": per_call(validator.validate),
            }
        )
    )


def jsonschema_versions(inputs: dict[str, Any], tmp: Path, current: str) -> dict[str, Any]:
    """The answer check with the jsonschema bot/requirements.txt pinned before (installed with pip
    into a temporary directory, nothing else) and with the pinned one: fresh processes that import
    Rasa first, in the order A B B A, on the action server's real answers of this run; each version
    keeps its better run (the machine is shared)."""
    answers = inputs["answers"]
    if not answers:
        raise RuntimeError("no action server answers were recorded")
    if current == OLD_JSONSCHEMA:
        raise RuntimeError(f"the jsonschema in use is {OLD_JSONSCHEMA} itself")
    target = tmp / f"jsonschema-{OLD_JSONSCHEMA}"
    started = time.perf_counter()
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--retries",
            "1",
            "--timeout",
            "20",
            "--target",
            str(target),
            f"jsonschema=={OLD_JSONSCHEMA}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if install.returncode:
        raise RuntimeError(
            f"pip install jsonschema=={OLD_JSONSCHEMA} --target <tmp> failed: {install.stderr.strip()[-400:]}"
        )
    install_s = time.perf_counter() - started
    inputs_file = tmp / "schema-inputs.json"
    inputs_file.write_text(json.dumps({**inputs, "calls": 40}))
    base_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    envs = {OLD_JSONSCHEMA: dict(base_env, PYTHONPATH=str(target)), current: base_env}
    all_runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for label in (OLD_JSONSCHEMA, current, current, OLD_JSONSCHEMA):
        proc = subprocess.run(
            [sys.executable, "-m", "bench.turns", "--child-schema", str(inputs_file)],
            cwd=ROOT,
            env=envs[label],
            capture_output=True,
            text=True,
            timeout=120,
        )
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if proc.returncode or not line:
            raise RuntimeError(f"child (jsonschema {label}) failed: {proc.stderr[-1000:]}")
        run = json.loads(line[-1])
        if run["jsonschema"] != label or not run["module"].startswith(
            str(target) if label == OLD_JSONSCHEMA else str(Path(sys.prefix))
        ):
            raise RuntimeError(
                f"child imported jsonschema {run['jsonschema']} ({run['module']}), not {label}"
            )
        all_runs[label].append(run)
    runs = {label: min(rs, key=lambda r: r["validate"]["mean"]) for label, rs in all_runs.items()}
    return {
        "what": f"jsonschema.validate() of the action server's answers: {OLD_JSONSCHEMA} (pinned before) "
        f"vs {current} (pinned now)",
        "measure": "ms per call (fresh processes with Rasa imported, better of two each)",
        "old": OLD_JSONSCHEMA,
        "current": current,
        "answers": len(answers),
        "answer_bytes_mean": round(statistics.fmean(len(json.dumps(a)) for a in answers)),
        "install_s": round(install_s, 1),
        "runs": runs,
        "all_runs": all_runs,
    }


# ----------------------------------------------------------------------------------------------
# printing and recommendations


def ms(v: float) -> str:
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def table_rows(result: dict[str, Any]) -> list[list[str]]:
    rows = []
    for lang, r in result["languages"].items():
        rows.append(
            [
                lang,
                f"{r['messages']} ({r['turn_sample']})",
                ms(r["nlu"]["p50"]),
                ms(r["nlu"]["p95"]),
                ms(r["dialogue"]["p50"]),
                ms(r["dialogue"]["p95"]),
                ms(r["whole"]["p50"]),
                ms(r["whole"]["p95"]),
            ]
        )
    return rows


HEADER = [
    "language",
    "messages (turns)",
    "NLU p50",
    "NLU p95",
    "dialogue p50",
    "dialogue p95",
    "whole turn p50",
    "whole turn p95",
]


def print_table(result: dict[str, Any]) -> None:
    rows = [HEADER, *table_rows(result)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    print("\nms per message (NLU on every held-out message; dialogue and whole turns on the sample):")
    for row in rows:
        print(
            "  "
            + "  ".join(
                cell.rjust(w) if i else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    print(
        "  NLU by component: "
        + ", ".join(f"{c['component']} {c['ms']:.2f} ms" for c in result.get("nlu_components", []))
    )
    b = result["breakdown"]
    print(f"\nwhole turn, mean {b['mean_turn_ms']:.1f} ms over {b['turns']} turns, by part (wall time):")
    for p in b["parts"]:
        print(f"  {p['part']:<24} {p['ms']:7.2f} ms  {p['pct']:5.1f}%")
    gc_stats = b["gc"]
    print(
        f"  (GC inside those: {gc_stats['ms_per_turn']:.2f} ms a turn, collections "
        f"{gc_stats['collections']})",
        flush=True,
    )


def conversation_variants(p: dict[str, Any]) -> tuple[dict, dict, dict, dict]:
    """(turn ours, turn Rasa's merge, parts ours, parts Rasa's merge) of one position. Results of the
    earlier version of this benchmark had "turn"/"parts_ms" (Rasa's merge) and "turn_linear_merge"/
    "parts_ms_linear_merge" (the merge bot/stores.py now has)."""
    return (
        p.get("turn_ours") or p.get("turn_linear_merge") or {},
        p.get("turn_stock") or p.get("turn") or {},
        p.get("parts_ms_ours") or p.get("parts_ms_linear_merge") or {},
        p.get("parts_ms_stock") or p.get("parts_ms") or {},
    )


def conversation_rows(result: dict[str, Any]) -> list[list[str]]:
    rows = []
    for p in result.get("conversation", {}).get("positions", []):
        ours, stock, parts, stock_parts = conversation_variants(p)
        act = sum(parts.get(k, 0) for k in ACTION_PARTS)
        rows.append(
            [
                str(p.get("position", "?")),
                f"{ours.get('p50', float('nan')):.1f}",
                f"{stock.get('p50', float('nan')):.1f}",
                str(p.get("events", "?")),
                f"{p.get('tracker_kb', float('nan')):.1f}",
                f"{parts.get('tracker load', 0):.2f}",
                f"{parts.get('tracker save', 0):.2f}",
                f"{stock_parts.get('tracker save', 0):.2f}",
                f"{parts.get('policies', 0):.2f}",
                f"{act:.2f}",
            ]
        )
    return rows


ACTION_PARTS = ("actions", "custom actions (HTTP)", "action response check (jsonschema)")
CONVERSATION_HEADER = [
    "message",
    "turn p50, ours",
    "turn p50, Rasa's merge",
    "events",
    "tracker KB",
    "load",
    "save, ours",
    "save, Rasa's merge",
    "policies",
    "actions",
]


def print_conversation(result: dict[str, Any]) -> None:
    c = result["conversation"]
    print(
        f"\nconversation length, Redis tracker store ({c['conversations']} conversations of {c['length']}"
        f" messages; ms; turn p50, parts are means; ours = {c.get('store')}; stored events identical: "
        f"{c.get('stores_the_same_events')}):"
    )
    rows = [CONVERSATION_HEADER, *conversation_rows(result)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  " + "  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    sys.stdout.flush()


def print_profile(result: dict[str, Any]) -> None:
    p = result["profile"]
    print(
        f"\nprofile: {p['turns']} whole turns (Redis, conversations of {p['conversation_length']}), "
        f"{p['ms_per_turn_under_profiler']:.1f} ms a turn under cProfile:"
    )
    for b in sorted(p["buckets"], key=lambda b: -b["seconds"]):
        print(f"  {b['pct']:5.1f}%  {b['bucket']}")
    for key, title in (("top_cumulative", "cumulative"), ("top_own", "own time")):
        print(f"  top by {title}:")
        for f in p[key][:12]:
            value = f["cum_pct"] if key == "top_cumulative" else f["own_pct"]
            print(f"    {value:5.1f}%  {f['calls']:>7}  {f['function'][:110]}")
    sys.stdout.flush()


def print_experiments(result: dict[str, Any]) -> None:
    print("\nexperiments (before -> after, same run):")
    for e in result["experiments"]:
        print(
            f"  {e['key']}: {e['what']}\n    {e['measure']}: mean {e['before']['mean']:.2f} -> "
            f"{e['after']['mean']:.2f} ms ({e['mean_change_pct']:+.1f}%), p50 {e['before']['p50']:.2f} -> "
            f"{e['after']['p50']:.2f} ms ({e['p50_change_pct']:+.1f}%)"
        )
    sys.stdout.flush()


def print_schema_versions(result: dict[str, Any]) -> None:
    jv = result.get("jsonschema_versions") or {}
    if "runs" not in jv:
        print(f"\njsonschema versions: not measured ({jv.get('error', '?')})", flush=True)
        return
    print(
        f"\njsonschema versions, {jv['answers']} distinct action server answers, ms per call "
        "(fresh processes with Rasa imported, better of two each):"
    )
    for label in (jv["old"], jv["current"]):
        r = jv["runs"][label]
        print(
            f"  {label:>8}: validate() mean {r['validate']['mean']:.3f} p50 {r['validate']['p50']:.3f}; "
            f"validator built once mean {r['prebuilt']['mean']:.3f}"
        )
    sys.stdout.flush()


def part_ms(result: dict[str, Any], name: str) -> tuple[float, float]:
    """(ms a turn, % of a turn) of one part of the whole turns' breakdown."""
    part = next((p for p in result.get("breakdown", {}).get("parts", []) if p["part"] == name), {})
    return part.get("ms", 0.0), part.get("pct", 0.0)


def recommendations(result: dict[str, Any]) -> list[str]:
    """Plain sentences from the numbers (stored in the JSON; markdown() prints them)."""
    out: list[str] = []
    ex = {e["key"]: e for e in result.get("experiments", [])}
    noise = 5.0  # percent: below this is noise on this shared machine (twice that across processes)

    def verdict(e: dict[str, Any], on: str = "mean", noise: float = noise) -> str:
        change = e[f"{on}_change_pct"]
        if abs(change) < noise:
            return f"no measurable effect ({change:+.1f}% on the {on}, within noise)"
        return f"{abs(change):.0f}% {'faster' if change < 0 else 'slower'} on the {on}"

    config = result.get("config", {})
    conversation = result.get("conversation", {})
    conv = conversation.get("positions", [])
    if len(conv) >= 2:
        last = conv[-1]
        if conversation.get("store_overrides_merge"):
            at = []
            for p in conv:
                if p["position"] in (1, 20, last["position"]):
                    ours, stock, _, _ = conversation_variants(p)
                    at.append(f"at message {p['position']} {stock['p50']:.1f} -> {ours['p50']:.1f} ms")
            _, _, lp, ls = conversation_variants(last)
            out.append(
                f"Adopted: the linear-time tracker merge (`{config.get('tracker_store')}`, named in "
                "bot/endpoints.yml). Rasa's RedisTrackerStore.save merges the stored tracker with the new "
                "one by comparing each new event with every event kept so far (quadratic in the "
                "conversation's length) whenever the stored tracker has an event before the session's "
                "action_session_start: every conversation here, as the gateway's metadata becomes a "
                "`session_started_metadata` SlotSet ahead of the session. Measured in this run on the same "
                "store with Rasa's merge put back for one side (Rasa's -> ours), a turn's p50 "
                + "; ".join(at)
                + f"; saving the tracker at message {last['position']} "
                f"{ls.get('tracker save', 0):.1f} -> {lp.get('tracker save', 0):.1f} ms. The stored events "
                + ("are identical" if conversation.get("stores_the_same_events") else "DIFFER")
                + f" (checked at message {last['position']} of each conversation)."
            )
        else:
            out.append(
                f"The tracker store loaded from bot/endpoints.yml ({config.get('tracker_store')}) does not "
                "override Rasa's merge, so the linear merge of bot/stores.py is NOT in effect: both "
                "conversation-length columns are Rasa's quadratic merge."
            )
        first = next((p for p in conv if p["position"] == 5), conv[0])
        ft, _, fp, _ = conversation_variants(first)
        lt, _, lp, _ = conversation_variants(last)
        why = {
            "tracker load": "loading the tracker (Rasa finds each event's class by walking all Event "
            "subclasses)",
            "tracker save": "saving it (serialising the whole tracker)",
            "policies": "policies (Rasa builds the states of the whole session before max_history slices "
            "them, so a lower max_history would not help)",
            "custom actions (HTTP)": "custom action calls (the whole tracker goes to the action server)",
            "action response check (jsonschema)": "checking the action server's answers",
        }
        grew = [
            f"{text}: {fp.get(k, 0):.1f} -> {lp.get(k, 0):.1f} ms"
            for k, text in why.items()
            if lp.get(k, 0) - fp.get(k, 0) >= 0.5
        ]
        out.append(
            f"With our store a turn still grows with the conversation: {ft.get('p50', 0):.1f} ms at message "
            f"{first['position']}, {lt.get('p50', 0):.1f} ms at message {last['position']} (tracker "
            f"{last['tracker_kb']:.0f} KB, {last['events']} events; p50; positions past 2 pool the 5 turns "
            f"around them; parts are means, from message {first['position']} to {last['position']}). "
            + ("What grows: " + "; ".join(grew) + ". " if grew else "")
            + "session_expiration_time: 0 keeps one session per resident until the 7-day purge; a shorter "
            "expiry would bound this, but that is a product decision (an unfinished referral must survive "
            "a pause)."
        )
    jv = result.get("jsonschema_versions")
    check_ms, check_pct = part_ms(result, "action response check (jsonschema)")
    per_turn = result.get("breakdown", {}).get("action_checks_per_turn")
    current = config.get("jsonschema", "?")
    if jv and "runs" in jv:
        old, new = jv["runs"][jv["old"]], jv["runs"][jv["current"]]
        estimate = (
            (
                f"; the whole turns above check {per_turn:.2f} answers each, so about "
                f"{per_turn * old['validate']['mean']:.1f} ms a turn with {jv['old']} and "
                f"{per_turn * new['validate']['mean']:.1f} ms with {jv['current']} (ms a call x checks a "
                "turn: an estimate, not a timed turn)"
            )
            if per_turn
            else ""
        )
        out.append(
            f"Adopted: `jsonschema=={jv['current']}` in bot/requirements.txt (was {jv['old']}). Rasa checks "
            "every answer of the action server with `jsonschema.validate()`, which also checks Rasa's "
            "event schema against the JSON Schema meta-schema on every call. On the "
            f"{jv['answers']} distinct answers the action server gave in this run (fresh processes that "
            f"import Rasa first, {jv['old']} installed with pip into a temporary directory; better of two "
            "each), a call "
            f"takes {old['validate']['mean']:.2f} ms with {jv['old']} and {new['validate']['mean']:.2f} ms "
            f"with {jv['current']} (p50 {old['validate']['p50']:.2f} -> {new['validate']['p50']:.2f} ms)"
            + estimate
            + f"; timed in those turns with {jv['current']}: {check_ms:.2f} ms a turn ({check_pct:.1f}% "
            "of it)."
        )
    elif jv:
        e = jv.get("earlier_run", EARLIER_SCHEMA_RUN)
        out.append(
            f"Adopted: `jsonschema=={current}` in bot/requirements.txt (was {OLD_JSONSCHEMA}). "
            f"{OLD_JSONSCHEMA} could not be measured in this run ({jv.get('error', '?')[:200]}). From the "
            f"earlier run of {e['date']} (jsonschema {e['jsonschema']}; NOT this run): the check took "
            f"{e['check_ms_per_turn']} ms a turn, {e['share_of_turn_pct']}% of a whole turn, "
            f"{e['validate_ms']} ms a validate() call. In this run, with {current}: {check_ms:.2f} ms a "
            f"turn ({check_pct:.1f}%)."
        )
    schema = ex.get("schema_check")
    if schema and schema.get("jsonschema", current) == current and "validate_ms" not in schema:
        built = ""
        if jv and "runs" in jv:
            r = jv["runs"][jv["current"]]
            built = f" ({r['validate']['mean']:.2f} -> {r['prebuilt']['mean']:.2f} ms a call with {current})"
        worth = abs(schema["mean_change_pct"]) >= noise and schema["mean_change_pct"] < 0
        out.append(
            f"Adopted: the check with a validator built once (bot/serve.py starts `rasa run` with it) "
            f"instead of Rasa's `jsonschema.validate()` with {current}{built}: a whole turn "
            f"{verdict(schema)} (mean {schema['before']['mean']:.1f} -> {schema['after']['mean']:.1f} ms, "
            f"p50 {schema['before']['p50']:.1f} -> {schema['after']['p50']:.1f} ms)."
            + ("" if worth else " Within noise in this run.")
        )
    nc = result.get("nlu_components", [])
    lr = next((c for c in nc if "LogisticRegression" in c["component"]), None)
    layout = ex.get("lr_coef_layout")
    if lr and layout:
        cv = sum(c["ms"] for c in nc if c["component"].startswith("CountVectors"))
        classes, features = layout["coef_shape"]
        nlu_ms, nlu_pct = part_ms(result, "NLU")
        faster = layout["mean_change_pct"] <= -noise
        out.append(
            f"NLU takes {result['languages']['all']['nlu']['p50']:.1f} ms p50 a message ({nlu_ms:.1f} ms, "
            f"{nlu_pct:.0f}% of a whole turn); the logistic regression {lr['ms']:.2f} ms of it, both "
            f"count-vector featurizers {cv:.2f} ms. Adopted: the coefficients in Fortran order "
            "(bot/components.py stores them so when the model loads). As trained, in C order, scikit-learn "
            f"scores X @ coef_.T and scipy copies the {classes} x {features:,} coefficients into C order on "
            "every call. Fortran order (the same values; intent rankings "
            + ("identical on every message tried" if layout["same_intent_rankings"] else "NOT identical")
            + f") against C order, NLU per message: {verdict(layout)} ({layout['before']['mean']:.2f} -> "
            f"{layout['after']['mean']:.2f} ms)." + ("" if faster else " Within noise in this run.")
        )
    if "lock_store" in ex:
        e = ex["lock_store"]
        out.append(
            f"Redis lock store vs in-memory: {verdict(e)}; "
            f"{e['before']['mean'] - e['after']['mean']:.2f} ms a turn saved. Keep Redis: it is what keeps "
            "turns in order if there is ever more than one Rasa process."
        )
    if "selective_domain" in ex:
        e = ex["selective_domain"]
        out.append(
            f"Sending the domain ({e['domain_json_bytes'] / 1024:.1f} KB of JSON, "
            f"{e['domain_serialise_ms']:.2f} ms to build) only to the form's validation action "
            "(`enable_selective_domain: true` under action_endpoint, plus `send_domain: true` for "
            f"validate_referral_form in domain.yml, which needs a retrain): {verdict(e)}. "
            + (
                "Not worth it."
                if e["mean_change_pct"] > -noise
                else "Worth confirming with another run before changing anything (the domain is small)."
            )
        )
    if "threads" in ex:
        e = ex["threads"]

        def spread_of(label: str) -> str:
            return " and ".join(f"{r['nlu']['p50']:.2f}" for r in e.get("all_runs", {}).get(label, []))

        r0, r1 = e["runs"]["default"], e["runs"]["one thread"]
        out.append(
            f"Thread variables ({', '.join(THREAD_VARS)} = 1): NLU {verdict(e, 'p50', 2 * noise)} "
            f"(p50 of each fresh process: {spread_of('default')} ms unset, {spread_of('one thread')} ms "
            "set); RSS after loading "
            f"{r0['rss_mb']:.0f} -> {r1['rss_mb']:.0f} MB, OS threads {r0['threads']} -> {r1['threads']}, "
            f"load {r0['load_s']:.1f} -> {r1['load_s']:.1f} s (better of two fresh processes each). "
            + (
                "Not worth setting: there is no TensorFlow model, and the sparse logistic regression runs on "
                "one thread anyway."
                if e["p50_change_pct"] > -2 * noise
                else "Cheap to try: export them in bot/env.sh, then re-run this benchmark to confirm."
            )
        )
    m = result.get("model", {})
    if m:
        out.append(
            f"Start-up: importing Rasa takes {m['import_s']:.1f} s and loading the model "
            f"{m['load_s']:.1f} s. "
            f"RSS is {m['rss_mb_before_load']:.0f} MB after the imports (TensorFlow among them, though no "
            f"TensorFlow model is used) and {m['rss_mb_after_load']:.0f} MB after loading the "
            f"{m['size_mb']:.1f} MB model: the memory is in the imports, not the model."
        )
    return out


# ----------------------------------------------------------------------------------------------
# markdown (pure: works from the JSON alone, no rasa import)


def markdown(result: dict[str, Any]) -> str:
    """The docs/benchmarks.md section for a result of this benchmark (this version's or the earlier's)."""
    m = result.get("machine", {})
    config = result.get("config", {})
    wall = result.get("wall_s")
    measured = ""
    if config:
        measured = (
            f" The configuration measured is the project's: tracker store "
            f"`{config.get('tracker_store', '?')}` (bot/endpoints.yml), Redis lock store, jsonschema "
            f"{config.get('jsonschema', m.get('jsonschema', '?'))} (bot/requirements.txt)."
        )
    lines = [
        "## Bot turn cost (`make bench-turns`)",
        "",
        "```sh",
        ".venv-bot/bin/python -m bench.turns            # about "
        + (f"{max(1, round(wall / 60))} minute{'s' if round(wall / 60) > 1 else ''}" if wall else "3 minutes")
        + "; --quick for a smoke run",
        "```",
        "",
        f"`bench/turns.py`, run of {result.get('date', '?')[:10]} on {m.get('cpu_count', '?')} cores "
        f"(Python {m.get('python', '?')}, Rasa {m.get('rasa', '?')}), in-process with "
        f"`{result.get('model', {}).get('path', 'models/current.tar.gz')}`, its own Redis and action server."
        + measured
        + " NLU: `parse_message` on every held-out message (tests/nlu). Dialogue: "
        "`handle_message` with the NLU result handed in, in-memory stores (policies, actions with the "
        "action server, tracker handling). Whole turn: `handle_message` with NLU, the Redis tracker and "
        'lock stores and the action server, as the second message of a conversation. "messages '
        '(turns)": held-out messages parsed (of them, timed as turns). ms per message:',
        "",
        "| " + " | ".join(HEADER) + " |",
        "|---|" + "---:|" * (len(HEADER) - 1),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(result)]
    nc = result.get("nlu_components")
    if nc:
        lines += [
            "",
            "NLU per message by component: "
            + ", ".join(f"{c['component']} {c['ms']:.2f} ms ({c['pct']:.0f}%)" for c in nc)
            + ".",
        ]
    b = result.get("breakdown")
    if b:
        parts = ", ".join(
            f"{p['part']} {p['ms']:.2f} ms ({p['pct']:.0f}%)" for p in b.get("parts", []) if p["pct"] >= 1
        )
        lines += ["", f"A whole turn (mean {b['mean_turn_ms']:.1f} ms, wall time by part): {parts}."]
    c = result.get("conversation")
    if c:
        lines += [
            "",
            f"Turn time against conversation length ({c.get('conversations', '?')} conversations of "
            f"{c.get('length', '?')} messages, Redis tracker store; ms, turns p50, parts means, parts of "
            '"ours"). "ours": the tracker store bot/endpoints.yml names (bot/stores.py); "Rasa\'s '
            "merge\": the same store with Rasa's own RedisTrackerStore merge put back, in the same run, "
            "turns interleaved:",
            "",
            "| " + " | ".join(CONVERSATION_HEADER) + " |",
            "|" + "---:|" * len(CONVERSATION_HEADER),
        ]
        lines += ["| " + " | ".join(row) + " |" for row in conversation_rows(result)]
    jv = result.get("jsonschema_versions") or {}
    if "runs" in jv:
        lines += [
            "",
            f"The check of the action server's answers (`jsonschema.validate()`, as Rasa calls it) on the "
            f"{jv.get('answers', '?')} distinct answers of this run, ms per call ({jv['old']} installed "
            "into a temporary directory; fresh processes that import Rasa first, better of two each):",
            "",
            "| jsonschema | validate() mean | validate() p50 | validator built once, mean |",
            "|---|---:|---:|---:|",
        ]
        for label, note in ((jv["old"], "pinned before"), (jv["current"], "pinned now")):
            r = jv["runs"][label]
            lines.append(
                f"| {label} ({note}) | {r['validate']['mean']:.3f} | {r['validate']['p50']:.3f} | "
                f"{r['prebuilt']['mean']:.3f} |"
            )
    elif jv:
        e = jv.get("earlier_run", EARLIER_SCHEMA_RUN)
        lines += [
            "",
            f"jsonschema {OLD_JSONSCHEMA} was not measured in this run ({jv.get('error', '?')[:200]});"
            f" the earlier run's figure ({e['date']}, not this run): {e['check_ms_per_turn']} ms a "
            f"turn, {e['share_of_turn_pct']}% of a whole turn.",
        ]
    p = result.get("profile")
    if p:
        lines += [
            "",
            f"Where a turn's time goes (cProfile, {p['turns']} whole turns in conversations of "
            f"{p['conversation_length']}, {p['ms_per_turn_under_profiler']:.1f} ms a turn under the "
            "profiler, which slows pure-Python code most):",
            "",
            "| bucket | share |",
            "|---|---:|",
        ]
        lines += [
            f"| {x['bucket']} | {x['pct']:.1f}% |" for x in sorted(p["buckets"], key=lambda x: -x["seconds"])
        ]
    mo = result.get("model")
    if mo:
        lines += [
            "",
            f"Start-up: import Rasa {mo['import_s']:.1f} s, load the model {mo['load_s']:.1f} s; "
            f"RSS after loading {mo['rss_mb_after_load']:.0f} MB.",
        ]
    recs = result.get("recommendations") or []
    if recs:
        lines += [
            "",
            "Findings and recommendations (each before/after measured in the same run; the "
            'benchmark patches only its own process, never the project\'s files; "Adopted": now in the '
            "project, compared with Rasa's stock behaviour put back for one side):",
            "",
        ]
        lines += [f"- {r}" for r in recs]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--repeat", type=int, default=2, help="passes over the messages (default 2)")
    parser.add_argument("--quick", action="store_true", help="a few messages per language, 1 pass")
    parser.add_argument("--turns-per-lang", type=int, default=30, help=argparse.SUPPRESS)
    parser.add_argument("--length", type=int, default=50, help=argparse.SUPPRESS)
    parser.add_argument("--conversations", type=int, default=2, help=argparse.SUPPRESS)
    parser.add_argument("--ab-per-lang", type=int, default=12, help=argparse.SUPPRESS)
    parser.add_argument("--profile-turns", type=int, default=40, help=argparse.SUPPRESS)
    parser.add_argument("--child-nlu", help=argparse.SUPPRESS)
    parser.add_argument("--child-schema", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_nlu:
        child_nlu(args.child_nlu)
        return
    if args.child_schema:
        child_schema(args.child_schema)
        return
    if args.quick:
        args.repeat = 1
    args.out = args.out.resolve()
    os.chdir(ROOT)
    quiet_env()
    wall = time.perf_counter()
    result: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([".venv-bot/bin/python -m bench.turns", *sys.argv[1:]]),
        "machine": machine_info(),
        "options": {"repeat": args.repeat, "quick": args.quick},
    }
    started = time.perf_counter()
    import rasa.core.agent  # noqa: F401  (timed: what every Rasa process pays at start)

    result["_import_s"] = round(time.perf_counter() - started, 2)
    configure_rasa_logging()

    with tempfile.TemporaryDirectory(prefix="bench-turns-") as tmp_name:
        tmp = Path(tmp_name)
        services = Services(tmp)
        try:
            services.start_redis()
            with contextlib.suppress(ImportError):  # `rasa run` serves on uvloop (sanic's default)
                import uvloop

                asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
            asyncio.run(measure(args, services, result))
        finally:
            services.stop()
        samples = result.pop("_samples")
        schema_inputs = result.pop("_schema_inputs", {"answers": []})
        try:
            result["jsonschema_versions"] = jsonschema_versions(
                schema_inputs, tmp, result["config"]["jsonschema"]
            )
        except Exception as exc:  # offline or no such wheel: the earlier run's figure, labelled as such
            result["jsonschema_versions"] = {"error": str(exc)[-500:], "earlier_run": EARLIER_SCHEMA_RUN}
            print(f"jsonschema {OLD_JSONSCHEMA} not measured: {exc}", file=sys.stderr)
        print_schema_versions(result)
        if not args.quick:
            texts = [t for lang in LANGS for t, _ in samples[lang]]
            try:
                result["experiments"].append(thread_experiment(texts, tmp))
                print_experiments({"experiments": result["experiments"][-1:]})
            except Exception as exc:  # the rest of the run is still worth keeping
                result["thread_experiment_error"] = str(exc)[-500:]
                print(f"thread experiment failed: {exc}", file=sys.stderr)
    result["model"]["rss_mb_end"] = proc_status()["rss_mb"]
    result["recommendations"] = recommendations(result)
    result["wall_s"] = round(time.perf_counter() - wall, 1)
    print("\nrecommendations:")
    for r in result["recommendations"]:
        print(f"  - {r}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\n{result['wall_s']:.0f} s; results in {args.out}")


if __name__ == "__main__":
    main()
