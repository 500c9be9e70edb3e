"""Write docs/benchmarks.md from the results in bench/results/*.json.

    make bench-report      # only rewrites the report from the last results
    make bench             # runs every benchmark and fault test, then this

Every figure in the report comes from a results file written by one of the benchmarks; nothing is
typed in by hand except the explanations, and a missing result is said to be missing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from bench import faults, inbound, reminders, turns
from bench.common import RESULTS
from scripts.stack import ROOT

REPORT = ROOT / "docs" / "benchmarks.md"

COMMANDS = """\
| command | what it runs | results |
|---|---|---|
| `make bench` | everything below, then this report | |
| `make bench-inbound` | our gateway against Rasa's Twilio channel, rising rates (locust) | `inbound.json` |
| `make bench-turns` | bot turn cost per language, and the profile of a turn | `turns.json` |
| `make bench-reminders` | 10,000 reminders due in one minute | `reminders.json` |
| `make faults` | kill -9 of each process under load, Redis restart, duplicate and out-of-order webhooks \
| `faults.json` |
| `make faults-reminders` | the reminders run with the worker killed again and again, Redis restarted | \
`reminders-faults.json` |
| `make bench-languages`, `make bench-safety` | language detection, safety screen (docs/languages.md, \
docs/safety.md) | `languages.json`, `safety.json` |
| `make bench-report` | this file, from the results | `docs/benchmarks.md` |
"""


def load(name: str) -> dict[str, Any] | None:
    path = RESULTS / name
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not measured"
    return f"{value:,.1f}{unit}" if isinstance(value, float) else f"{value:,}{unit}"


def _sustained(step: dict[str, Any]) -> bool:
    """Kept up: every message answered, reply p95 within 300 ms, replies as fast as they came."""
    return bool(
        step["reply_p95_ms"] <= 300
        and not step["replies_missing"]
        and (step["replies_per_s"] or 0) >= 0.9 * step["rate_per_s"]
    )


def targets(inbound_result: dict[str, Any] | None, fault_result: dict[str, Any] | None,
            reminder_result: dict[str, Any] | None) -> str:  # fmt: skip
    rows = ["| target | measured | met |", "|---|---|---|"]

    def row(target: str, measured: str, met: bool | None) -> None:
        rows.append(f"| {target} | {measured} | {'yes' if met else 'no' if met is False else '-'} |")

    ours = (inbound_result or {}).get("systems", {}).get("ours")
    if ours:
        steps = {s["rate_per_s"]: s for s in ours["steps"]}
        burst = steps.get(max(steps))
        row(
            f"webhook ack p99 <= 50 ms at {burst['rate_per_s']} messages a second",
            f"{_fmt(burst['ack_p99_ms'], ' ms')} (p50 {_fmt(burst['ack_p50_ms'], ' ms')}, "
            f"{burst['errors']} errors of {burst['sent']})",
            burst["ack_p99_ms"] <= 50 and not burst["errors"],
        )
        best = max((s for s in ours["steps"] if _sustained(s)), key=lambda s: s["rate_per_s"], default=None)
        above = ", ".join(
            f"{s['rate_per_s']}/s: p95 {s['reply_p95_ms']:,.0f} ms"
            for s in ours["steps"]
            if s["rate_per_s"] >= 40
        )
        found = f"{best['rate_per_s']}/s (p95 {best['reply_p95_ms']:.0f} ms)" if best else "none"
        row(
            ">= 40 bot turns a second sustained, reply p95 <= 300 ms",
            f"highest tested rate kept up with reply p95 <= 300 ms: {found}; {above}",
            bool(best and best["rate_per_s"] >= 40),
        )
        rest = sum(ours["rss_mb_at_rest"].values())
        row("whole stack under 2 GB resident memory at rest", f"{rest:,.0f} MB", rest < 2048)
    else:
        row("inbound targets", "no results/inbound.json", None)
    if fault_result:
        bad = {k: sum(p[k] for p in fault_result["phases"]) for k in faults.COUNTS}
        row(
            "zero lost, duplicated or missing messages under kill -9 and duplicate deliveries",
            ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in bad.items()),
            not any(bad.values()),
        )
    if reminder_result:
        late = reminder_result["all_sent_after_last_due_s"]
        row(
            f"{reminder_result['count']:,} reminders due in one minute all sent within 60 s of due",
            f"last sent {late:.1f} s after the last was due; {reminder_result['missing']} missing, "
            f"{reminder_result['duplicates']} duplicated",
            late <= 60 and not reminder_result["missing"] and not reminder_result["duplicates"],
        )
    return "\n".join(rows) + "\n"


def render() -> str:
    inbound_result, fault_result = load("inbound.json"), load("faults.json")
    reminder_result, reminder_faults = load("reminders.json"), load("reminders-faults.json")
    turn_result = load("turns.json")
    machine = (inbound_result or fault_result or {}).get("machine", {})
    parts = [
        "# Benchmarks",
        "",
        "Written by `make bench-report` from `bench/results/*.json`; do not edit by hand. "
        f"Machine: {machine.get('platform', 'unknown')}, {machine.get('cpus', '?')} cores, Python "
        f"{machine.get('python', '?')}, shared with other work, so figures are noisy: compare figures "
        "from the same run (the ratios), not across runs. Nothing here is asserted by a test.",
        "",
        COMMANDS,
        "## Where we stand",
        "",
        targets(inbound_result, fault_result, reminder_result),
    ]
    parts.append(inbound.markdown(inbound_result) if inbound_result else "## Inbound\n\nNot run yet.\n")
    parts.append(turns.markdown(turn_result) if turn_result else "## Bot turn cost\n\nNot run yet.\n")
    parts.append(faults.markdown(fault_result) if fault_result else "## Fault tests\n\nNot run yet.\n")
    parts.append(reminders.markdown(reminder_result, reminder_faults))
    parts.append((ROOT / "bench" / "history.md").read_text())
    return "\n".join(parts)


def main() -> None:
    REPORT.write_text(render())
    print(f"written {Path(REPORT).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
