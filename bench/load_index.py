"""How long loading, splitting, checking and indexing take as the knowledge grows (issue: 10,000 passages).

Builds a temporary knowledge folder: the bundled one plus synthetic articles (headings made of
corpus words, answers taken from real passages) and synthetic curated entries, then times each
stage the server and `crampbot check` run. Run by hand, not in CI:

    .venv/bin/python bench/load_index.py             # 10,000 passages
    .venv/bin/python bench/load_index.py --passages 2000 --repeat 3
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.chat import Bot
from bot.corpus.check import run_check
from bot.corpus.knowledge import load_knowledge
from bot.corpus.passages import BUNDLED_KNOWLEDGE, load_passages
from bot.text.normalise import normalise
from bot.web.reload import KnowledgeHolder

SECTIONS_PER_ARTICLE = 100
STARTS = ("What", "How", "Why", "When", "Can", "Does", "Is", "Should")


def build_folder(root: Path, passages: int, curated_share: float, seed: int) -> None:
    rng = random.Random(seed)
    shutil.copytree(BUNDLED_KNOWLEDGE, root)
    real = load_passages(BUNDLED_KNOWLEDGE)
    vocabulary = sorted({w for p in real for w in normalise(p.answer).split() if w.isalpha() and len(w) > 3})
    answers = [p.answer for p in real]
    wanted = passages - len(real) - sum(1 for _ in (BUNDLED_KNOWLEDGE / "faq").glob("*.md"))
    n_curated = int(wanted * curated_share)
    n_articles = (wanted - n_curated + SECTIONS_PER_ARTICLE - 1) // SECTIONS_PER_ARTICLE
    with (root / "sources.yaml").open("a", encoding="utf-8") as handle:
        for a in range(n_articles):
            name = f"bench_{a:04d}.txt"
            sections = []
            for _ in range(SECTIONS_PER_ARTICLE):
                heading = f"{rng.choice(STARTS)} {' '.join(rng.sample(vocabulary, rng.randint(4, 7)))}?"
                sections.append(f"{heading}\n\n{rng.choice(answers)}\n")
            (root / "sources" / name).write_text("\n".join(sections), encoding="utf-8")
            handle.write(f"\n  - file: {name}\n    key: bench-{a:04d}\n    title: Bench article {a}\n")
    for c in range(n_curated):
        question = f"{rng.choice(STARTS)} {' '.join(rng.sample(vocabulary, rng.randint(4, 7)))}?"
        (root / "faq" / f"bench-{c:04d}.md").write_text(
            f"---\nquestion: {question}\nsources: [night-cramps-qa.what-are-leg-cramps]\n---\n{rng.choice(answers)}\n",
            encoding="utf-8",
        )


def timed(func: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--curated-share", type=float, default=0.02, help="share of synthetic curated entries")
    parser.add_argument("--repeat", type=int, default=1, help="runs per stage; the median is shown")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "knowledge"
        build_folder(root, args.passages, args.curated_share, args.seed)
        rows: list[tuple[str, float, str]] = []
        t, passages = timed(lambda: load_passages(root, curated=True), args.repeat)
        rows.append(("read + split + overrides (load_passages)", t, f"{len(passages)} passages"))
        t, knowledge = timed(lambda: load_knowledge(root), args.repeat)
        rows.append(("load_knowledge (all files)", t, f"{len(knowledge.passages)} passages"))
        t, bot = timed(lambda: Bot(knowledge), args.repeat)
        rows.append(("index (Bot: TF-IDF + fuzzy titles)", t, ""))
        t, report = timed(lambda: run_check(root), args.repeat)
        rows.append(("crampbot check (loads too)", t, f"{len(report.errors)} errors, {len(report.warnings)} warnings"))
        holder = KnowledgeHolder(root, bot)
        (root / "faq" / "bench-new.md").write_text(
            "---\nquestion: Is this a new benchmark entry?\nsources: [x]\n---\n"
            "Yes, a new entry for the reload timing.\n",
            encoding="utf-8",
        )
        t, result = timed(lambda: holder.reload(force=True), args.repeat)
        rows.append(("live reload (check + index + swap)", t, result.status))
        questions = ["what causes leg cramps at night", "is quinine safe", "how do I stop a cramp right now"]
        t, _ = timed(lambda: [bot.ask(q) for q in questions * 10], args.repeat)
        rows.append(("ask, per question (after the index is built)", t / (len(questions) * 10), ""))

    width = max(len(r[0]) for r in rows)
    print(
        f"knowledge: {len(knowledge.passages)} passages ({sum(p.curated for p in knowledge.passages)} curated), "
        f"median of {args.repeat} run(s)"
    )
    print(f"{'stage':<{width}}  {'seconds':>8}  note")
    for name, seconds, note in rows:
        print(f"{name:<{width}}  {seconds:>8.4f}  {note}")


if __name__ == "__main__":
    main()
