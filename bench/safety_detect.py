"""How long red-flag detection takes: a fresh 1,000-character message, and a repeated one.

Run by hand (`make bench` or `.venv/bin/python bench/safety_detect.py`); not part of the tests
(a timed test fails on a loaded machine and proves nothing on a fast one). The targets the tests
used to assert: under 10 ms for a fresh message, under 0.1 ms for a repeated one (the cache).
"""

from __future__ import annotations

import statistics
import time

from bot.corpus.passages import BUNDLED_KNOWLEDGE
from bot.safety.detect import detect, load_lexicon

ROUNDS = 200


def main() -> None:
    lexicon = load_lexicon(BUNDLED_KNOWLEDGE / "red_flags.yaml")
    base = ("I get cramps in my calves at night and stretching helps, magnesium too. " * 14)[:990]
    fresh: list[float] = []
    for n in range(ROUNDS):
        text = f"{base} {n:05d}"  # a new message each round: no cache hit
        start = time.perf_counter()
        detect(text, lexicon)
        fresh.append((time.perf_counter() - start) * 1000)
    repeated: list[float] = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        detect(base, lexicon)
        repeated.append((time.perf_counter() - start) * 1000)
    for name, values in (("fresh 1,000-character message", fresh), ("repeated message", repeated)):
        ordered = sorted(values)
        print(f"{name:<32} p50 {statistics.median(values):.3f} ms   p99 {ordered[int(0.99 * len(ordered)) - 1]:.3f} ms")


if __name__ == "__main__":
    main()
