"""Language detection: memory, speed and accuracy on the held-out NLU messages.

    python -m bench.languages            (part of `make bench`)

One run prints, for lingua's low and high accuracy modes: the memory the preloaded models
add, the time to detect one message, and how many held-out messages of three words or
more (tests/nlu/<lang>_test.yml) are detected right, wrong, or left undecided at the
confidence the gateway uses. Then, with the mode the worker uses, every message of the
independent evaluation sets (tests/eval/<lang>.yml, any length) taken as a resident's first
message: answered in its language, its language offered (romanised Bengali or Urdu), answered
in another language, or left in the default. Results are written to bench/results/languages.json.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import yaml

from api.directory import load_directory, role_names
from api.languages import MIN_CONFIDENCE, MIN_WORDS, load_languages
from api.understanding.language import Detector

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "languages.json"


def held_out() -> list[tuple[str, str]]:
    messages = []
    for code in load_languages():
        for item in yaml.safe_load((ROOT / "tests" / "nlu" / f"{code}_test.yml").read_text())["nlu"]:
            for line in str(item.get("examples", "")).splitlines():
                text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line.removeprefix("- ").strip())
                if len(re.findall(r"\w+", text)) >= MIN_WORDS:
                    messages.append((code, text))
    return messages


def measure(mode: str) -> dict[str, float]:
    """Run in a fresh process so the memory figure is this mode's alone."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    detector = Detector(load_languages(), ignore=role_names(load_directory()), low_accuracy=mode == "low")
    started = time.perf_counter()
    detector.warm_up()
    load = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    messages = held_out()
    right = wrong = undecided = 0
    started = time.perf_counter()
    for code, text in messages:
        found = detector.detect(text)
        right += found == code
        undecided += found is None
        wrong += found not in (code, None)
    per_message = (time.perf_counter() - started) / len(messages)
    return {
        "load_s": round(load, 2),
        "memory_mb": round(grown, 1),
        "detect_ms": round(per_message * 1000, 3),
        "messages": len(messages),
        "right": right,
        "wrong": wrong,
        "undecided": undecided,
    }


def first_messages() -> dict[str, dict[str, float]]:
    """Every evaluation message as a first message, per language (high accuracy mode)."""
    detector = Detector(load_languages(), ignore=role_names(load_directory()))
    detector.warm_up()
    results: dict[str, dict[str, float]] = {}
    for code in load_languages():
        path = ROOT / "tests" / "eval" / f"{code}.yml"
        if not path.exists():
            continue
        counts = {"messages": 0, "right": 0, "offered": 0, "wrong": 0, "default": 0}
        started = time.perf_counter()
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]:
            guess = detector.identify(str(item["text"]), first=True)
            counts["messages"] += 1
            if guess.language == code:
                counts["right"] += 1
            elif code in guess.offer:
                counts["offered"] += 1
            elif guess.language is None:
                counts["default"] += 1
            else:
                counts["wrong"] += 1
        per_message = (time.perf_counter() - started) / max(counts["messages"], 1)
        results[code] = {**counts, "identify_ms": round(per_message * 1000, 3)}
    return results


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--mode":
        print(json.dumps(measure(sys.argv[2])))
        return
    results: dict[str, object] = {"min_confidence": MIN_CONFIDENCE}
    measured: dict[str, dict[str, float]] = {}
    for mode in ("low", "high"):
        out = subprocess.run(
            [sys.executable, "-m", "bench.languages", "--mode", mode],
            capture_output=True,
            text=True,
            check=True,
        )
        measured[mode] = json.loads(out.stdout)
    results.update(measured)
    low, high = measured["low"], measured["high"]
    print(f"lingua, {len(load_languages())} languages, confidence >= {MIN_CONFIDENCE}")
    for mode in ("low", "high"):
        r = measured[mode]
        print(
            f"  {mode:>4} accuracy mode: +{r['memory_mb']} MB, load {r['load_s']} s, "
            f"{r['detect_ms']} ms a message; {r['right']} right, {r['wrong']} wrong, "
            f"{r['undecided']} undecided of {r['messages']}"
        )
    print(f"  memory ratio high/low: {high['memory_mb'] / max(low['memory_mb'], 0.1):.1f}x")
    first = first_messages()
    results["first_messages"] = first
    print("Evaluation messages as first messages (script, cue words, lingua):")
    for code, r in first.items():
        print(
            f"  {code}: {r['right']} in its language, {r['offered']} offered, {r['wrong']} in another, "
            f"{r['default']} in the default, of {r['messages']}; {r['identify_ms']} ms a message"
        )
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
