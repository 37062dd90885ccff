"""CPU the store's writer thread spends on each exchange: queue N exchanges, then time the writing.

    .venv/bin/python bench/store_writer.py [--exchanges 50000] [--database-url sqlite:///...]

The writer shares the server's CPU (one per worker), so its time per exchange is taken from every
answer. Nothing is written while the exchanges are queued (the writer is not started yet); the
figure is the process CPU time from start to flush, divided by the number of exchanges: redaction,
rows, inserts and commits in batches of the store's default size. Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from dataclasses import replace

from bot.chat import Bot
from bot.store.records import new_exchange_id
from bot.store.store import Store
from bot.web.exchanges import record_exchange

QUESTION = "What causes leg cramps at night?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=50_000)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    reply = Bot.from_knowledge().ask(QUESTION)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        store = Store(url, maxsize=args.exchanges + 1)
        for _ in range(args.exchanges):
            record_exchange(
                store, replace(reply, id=new_exchange_id()), question=QUESTION, session="ab" * 16, via=None,
                version="bench", started=time.perf_counter(),
            )  # fmt: skip
        store.start()
        store.wait_ready(30)
        cpu, wall = time.process_time(), time.perf_counter()
        store.flush(600)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        store.close()
    per = 1e6 / args.exchanges
    print(f"{args.exchanges:,} exchanges: writer CPU {cpu * per:.1f} us each, wall {wall * per:.1f} us each")


if __name__ == "__main__":
    main()
