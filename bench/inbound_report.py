"""The inbound benchmark's results as Markdown tables (bench/inbound.py writes them, bench/report.py
puts them in docs/benchmarks.md)."""

from __future__ import annotations

from typing import Any

SHAPE_WORDS = {
    "steady": "new residents' messages evenly spaced at each rate",
    "burst": "each second's messages from new residents all sent at the same instant",
}


def ratios(ours: dict[str, Any], rasa: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for mine, theirs in zip(ours["steps"], rasa["steps"], strict=True):
        row: dict[str, Any] = {"rate_per_s": mine["rate_per_s"]}
        for key in ("ack_p50_ms", "ack_p99_ms", "reply_p50_ms", "reply_p95_ms", "reply_p99_ms"):
            row[key] = round(theirs[key] / mine[key], 2) if mine[key] and mine[key] == mine[key] else None
        rows.append(row)
    return rows


COLUMNS = [
    ("rate_per_s", "rate/s"), ("sent", "sent"), ("errors", "errors"), ("replies_per_s", "replies/s"),
    ("ack_p50_ms", "ack p50"), ("ack_p95_ms", "ack p95"), ("ack_p99_ms", "ack p99"),
    ("reply_p50_ms", "reply p50"), ("reply_p95_ms", "reply p95"), ("reply_p99_ms", "reply p99"),
    ("replies_missing", "no reply"), ("host_steal_pct", "steal %"), ("attempts", "runs"),
]  # fmt: skip


RATIO_COLUMNS = [
    ("rate_per_s", "rate/s"), ("ack_p50_ms", "ack p50"), ("ack_p99_ms", "ack p99"),
    ("reply_p50_ms", "reply p50"), ("reply_p95_ms", "reply p95"), ("reply_p99_ms", "reply p99"),
]  # fmt: skip


def table(steps: list[dict[str, Any]], columns: list[tuple[str, str]] = COLUMNS) -> str:
    lines = ["| " + " | ".join(title for _, title in columns) + " |"]
    lines.append("|" + "---:|" * len(columns))
    for step in steps:
        lines.append("| " + " | ".join(_cell(step.get(key)) for key, _ in columns) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(result: dict[str, Any]) -> str:
    ours, rasa = result["systems"]["ours"], result["systems"].get("rasa")
    shape = result.get("shape", "burst")  # results from before the shapes were all bursts
    parts = [
        "## Inbound: our gateway against Rasa's Twilio channel (`make bench-inbound`"
        + (", `--shape burst`" if shape == "burst" else "")
        + ")",
        "",
        f"One run, {result['machine']['at'][:10]}, {result['machine']['cpus']} cores, "
        f"{result['seconds_per_rate']:.0f} s per rate, both systems up together and measured in "
        f"turn at each rate, {SHAPE_WORDS[shape]} "
        "(locust, bench/locustfile.py), signed webhooks, replies through the real twilio SDK to "
        "the local fake Twilio API. Milliseconds. **ack**: webhook sent to HTTP answer. **reply**: "
        "webhook sent to the first reply reaching the fake Twilio API. **sent** below rate x "
        f"seconds: answers slower than {result.get('pacing_s', 2):.0f} s held the load tool's "
        "connections back. "
        "**steal %**: the share of the cores' time the virtual machine's host gave to others during "
        f"the rate; above {result.get('steal_limit_pct', 5):.0f}% the rate was run again "
        f"({result.get('runs_at_most', 3)} runs at most, {result.get('pause_between_runs_s', 0):.0f} s "
        "apart) and the "
        "run with the least steal is shown; **runs**: how many. The other runs are listed below "
        "the tables.",
        "",
        "**The load tool's floor**: locust against a trivial answer (the fake Twilio API refusing a "
        "wrong account) at the same rates; it is part of every ack figure below: "
        + ", ".join(
            f"{f['rate_per_s']}/s p50 {f['ack_p50_ms']:.0f} ms, p99 {f['ack_p99_ms']:.0f} ms"
            for f in result.get("load_tool_floor", [])
        )
        + ". Locust shares the 2 cores with the system under test.",
        "",
        f"**Ours** ({ours.get('gateway_workers', 1)} gateway processes + "
        + (f"{ours['worker_processes']} worker processes" if "worker_processes" in ours else "worker")
        + " + Rasa REST channel, "
        f"{ours.get('database', 'SQLite')}):",
        "",
        table(ours["steps"]),
        "",
    ]
    if rasa:
        parts += [
            "**Rasa's Twilio channel** (`rasa run`, twilio credentials entry, the same model):",
            "",
            table(rasa["steps"]),
            "",
            "**Ratios, Rasa's channel / ours** (above 1: ours is faster):",
            "",
            table(result["ratios"], RATIO_COLUMNS),
            "",
        ]
    parts += sustained_table(result)
    for name, system in result["systems"].items():
        rest = system["rss_mb_at_rest"]
        parts.append(
            f"- Memory, {name}: "
            + ", ".join(f"{k} {v:.0f} MB" for k, v in rest.items())
            + f"; {sum(rest.values()):,.0f} MB at rest, {sum(system['rss_mb_after'].values()):,.0f} MB "
            "after the load."
        )
    parts += ["", *cpu_lines(result), *other_runs(result)]
    return "\n".join(parts) + "\n"


def sustained_table(result: dict[str, Any]) -> list[str]:
    """The longer run at one rate, after the rising rates, on each system."""
    rows = [{"system": name, **s["sustained"]} for name, s in result["systems"].items() if s.get("sustained")]
    if not rows:
        return []
    return [
        f"**Sustained**: after the rates above, one longer run at {rows[0]['rate_per_s']}/s for "
        f"{rows[0]['seconds']:.0f} s on each system:",
        "",
        table(rows, [("system", "system"), ("seconds", "seconds"), *COLUMNS]),
        "",
    ]


def _runs(system: dict[str, Any]) -> list[dict[str, Any]]:
    return [*system["steps"], *([system["sustained"]] if system.get("sustained") else [])]


def other_runs(result: dict[str, Any]) -> list[str]:
    """The runs not shown in the tables, because the host took more of the cores then."""
    lines = [
        f"- Other run, {name} at {step['rate_per_s']}/s"
        + (f" for {step['seconds']:.0f} s" if step is system.get("sustained") else "")
        + f", host steal {other['host_steal_pct']:.1f}%: "
        f"ack p50 {other['ack_p50_ms']:,.0f} ms, p99 {other['ack_p99_ms']:,.0f} ms; reply p95 "
        f"{other['reply_p95_ms']:,.0f} ms; {other['replies_per_s']} replies/s; {other['errors']} errors."
        for name, system in result["systems"].items()
        for step in _runs(system)
        for other in step.get("other_attempts", [])
    ]
    return ["", *lines] if lines else []


def cpu_lines(result: dict[str, Any]) -> list[str]:
    """CPU milliseconds per answered message, per process: where the 2 cores go."""
    lines = []
    for name, system in result["systems"].items():
        for step in system["steps"]:
            per = step.get("cpu_ms_per_message")
            if per:
                lines.append(
                    f"- CPU per answered message, {name} at {step['rate_per_s']}/s: "
                    + ", ".join(f"{k} {v:.1f} ms" for k, v in sorted(per.items(), key=lambda kv: -kv[1]))
                    + f"; {sum(per.values()):.1f} ms in all."
                )
    return lines
