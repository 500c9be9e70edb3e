"""The safety screen on the labelled sets: recall on crisis messages, false alarms on ordinary ones.

    python -m bench.safety            (part of `make bench`)

Every language's phrase list is checked on every message, as in the gateway, so false
alarms include one language's phrases firing on another's everyday words. Results go to
bench/results/safety.json; the numbers are reported in docs/safety.md.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import yaml

from api.languages import load_languages
from api.safety.phrases import load_phrases, screen
from api.safety.step import categories

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "safety.json"


def main() -> None:
    phrases = load_phrases()
    results: dict[str, dict[str, object]] = {}
    timings: list[float] = []
    for code in load_languages():
        data = yaml.safe_load((ROOT / "tests" / "safety" / f"{code}.yml").read_text(encoding="utf-8"))
        crisis = [(category, text) for category, texts in data["crisis"].items() for text in texts]
        caught = right_category = 0
        for category, text in crisis:
            started = time.perf_counter()
            found = categories(screen(text, phrases))
            timings.append(time.perf_counter() - started)
            caught += bool(found)
            right_category += category in found
        alarms = [text for text in data["ordinary"] if screen(text, phrases)]
        results[code] = {
            "crisis": len(crisis),
            "caught": caught,
            "right_category": right_category,
            "ordinary": len(data["ordinary"]),
            "false_alarms": len(alarms),
            "false_alarm_rate": round(len(alarms) / len(data["ordinary"]), 3),
            "false_alarm_messages": alarms,
        }
    print(f"safety screen: {len(phrases)} phrases, {1000 * sum(timings) / len(timings):.2f} ms a message")
    print(f"{'lang':<5} {'caught':>12} {'right cat.':>11} {'false alarms':>14}")
    for code, r in results.items():
        print(
            f"{code:<5} {r['caught']:>5}/{r['crisis']:<6} {r['right_category']:>5}/{r['crisis']:<5} "
            f"{r['false_alarms']:>6}/{r['ordinary']:<4} ({r['false_alarm_rate']:.0%})"
        )
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
