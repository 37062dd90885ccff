"""In-process latency of Bot.ask, index build time, and how both grow to 10,000 passages.

Run by hand (`make bench` or `.venv/bin/python bench/latency.py`); not part of the tests.
Synthetic corpora repeat the real passages with every copy's words shifted by a copy-specific
suffix on 15% of them, so the vocabulary keeps growing (Heaps-law-like) as a larger real corpus would.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from dataclasses import replace

import numpy as np

from bot.chat import Bot
from bot.corpus.knowledge import load_knowledge
from bot.corpus.passages import BUNDLED_KNOWLEDGE, Passage
from bot.evaluation.retrieval import load_eval_set
from bot.retrieval.retriever import RetrieverConfig
from bot.text.normalise import normalise


def questions() -> list[str]:
    path = BUNDLED_KNOWLEDGE / "eval" / "questions.yaml"
    if path.exists():
        cases = load_eval_set(path)
        return [c.question for c in (*cases.in_scope, *cases.off_topic)]
    return ["What causes leg cramps at night?", "how long do cramps last", "tell me a joke", "magnesium?"]


def synthetic(passages: tuple[Passage, ...], n: int, seed: int = 7) -> tuple[Passage, ...]:
    rng = random.Random(seed)
    out = list(passages)
    copy = 0
    while len(out) < n:
        copy += 1
        for p in passages:
            if len(out) >= n:
                break
            words = p.answer.split()
            shifted = " ".join(w + f"x{copy % 97}" if rng.random() < 0.15 else w for w in words)
            out.append(replace(p, id=f"{p.id}-copy{copy}", answer=shifted, order=len(out)))
    return tuple(out)


def time_asks(bot: Bot, qs: list[str], rounds: int) -> dict[str, float]:
    for q in qs:
        bot.ask(q)  # warm-up
    samples = []
    for _ in range(rounds):
        for q in qs:
            normalise.cache_clear()  # time the full path, not a cached repeat of the same question
            start = time.perf_counter_ns()
            bot.ask(q)
            samples.append((time.perf_counter_ns() - start) / 1e6)
    arr = np.asarray(samples)
    return {
        "asks": len(samples),
        "p50_ms": float(np.percentile(arr, 50)),
        "p99_ms": float(np.percentile(arr, 99)),
        "mean_ms": float(arr.mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--sizes", default="100,1000,3000,10000")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    knowledge = load_knowledge()
    qs = questions()
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        passages = knowledge.passages if size <= len(knowledge.passages) else synthetic(knowledge.passages, size)
        builds = []
        for _ in range(3 if size <= 1000 else 1):
            start = time.perf_counter()
            bot = Bot(replace(knowledge, passages=passages), RetrieverConfig(answer_cache=0))  # the full path
            builds.append(time.perf_counter() - start)
        timing = time_asks(bot, qs, args.rounds if size <= 1000 else max(2, args.rounds // 5))
        rows.append({"passages": len(passages), "build_s": statistics.median(builds), **timing})
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{len(qs)} questions (eval set), in-process Bot.ask, one thread\n")
    print(f"{'passages':>9}{'build s':>10}{'asks':>8}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}")
    for r in rows:
        print(
            f"{r['passages']:>9}{r['build_s']:>10.3f}{r['asks']:>8}{r['p50_ms']:>9.3f}{r['p99_ms']:>9.3f}{r['mean_ms']:>9.3f}"
        )


if __name__ == "__main__":
    main()
