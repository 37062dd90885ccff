"""What a reload costs (issue 16): unchanged files, the same files saved again, a real change.

A reload hashes the knowledge files first and stops there when the hash is the version served;
before, every reload checked the whole folder (and a change also built the index). This times,
on the bundled knowledge copied to a temporary folder, in this process:

- `unchanged`: `KnowledgeHolder.reload()` when nothing changed (what the admin route and the
  watcher now do);
- `check only`: `run_check()`, what every unchanged reload cost before;
- `changed`: a reload after a real edit (check and index), the same as before.

Run by hand, not in CI:  .venv/bin/python bench/reload.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.corpus.check import run_check
from bot.corpus.passages import BUNDLED_KNOWLEDGE
from bot.web.reload import KnowledgeHolder


def timed(action: Callable[[], object], repeat: int) -> float:
    """Median seconds of `repeat` runs."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(shutil.copytree(BUNDLED_KNOWLEDGE, Path(folder) / "knowledge"))
        holder = KnowledgeHolder(root)
        holder.load()
        messages = root / "messages.yaml"
        text = messages.read_text(encoding="utf-8")
        edits = iter(range(10**6))

        def unchanged() -> None:
            assert holder.reload().status == "unchanged"

        def changed() -> None:
            messages.write_text(text + f"\n# edit {next(edits)}\n", encoding="utf-8")
            assert holder.reload().status == "reloaded"

        rows = [
            ("unchanged reload (now)", timed(unchanged, args.repeat * 10)),
            ("check only (every unchanged reload before)", timed(lambda: run_check(root), args.repeat)),
            ("changed: check and index (before and now)", timed(changed, args.repeat)),
        ]
    print(f"{'reload':<45} {'median ms':>10}")
    for name, seconds in rows:
        print(f"{name:<45} {seconds * 1000:>10.1f}")


if __name__ == "__main__":
    main()
