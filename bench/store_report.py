"""A simulated week of traffic in the store, and how long `crampbot report` takes over it (issue 15: < 5 s
for 100,000 exchanges).

The week is made from the evaluation sets: in-scope, off-topic, not-covered and red-flag messages,
each answered by the real bot once (its reply's kind, passage, confidence and escalation are what is
stored), asked at random times weighted towards the evening and night, in conversations of one to
four messages. About 4% of answers get feedback (a quarter "not helpful", some with a comment); a
third of fallbacks are followed by a click on one of their suggestions (`via: suggestion`). It is
written through `Store`, the server's own path, then the report is built as `crampbot report` builds
it (the nearest passage of each unanswered group included). Run by hand, not in CI:

    .venv/bin/python bench/store_report.py                       # 100,000 exchanges in SQLite
    .venv/bin/python bench/store_report.py --exchanges 20000 --keep /tmp/week.sqlite3
    .venv/bin/python bench/store_report.py --database-url postgresql://postgres@127.0.0.1:55432/week
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.chat import Bot, Reply
from bot.corpus.passages import BUNDLED_KNOWLEDGE
from bot.evaluation.not_covered import load_not_covered_set
from bot.evaluation.retrieval import load_eval_set
from bot.evaluation.safety import load_safety_cases
from bot.store.database import open_engine
from bot.store.records import ExchangeRecord, new_exchange_id
from bot.store.report import build_report
from bot.store.store import Store
from bot.store.tables import utcnow

HOURLY = [3, 2, 2, 1, 1, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 5, 6, 7, 8, 8, 6]  # evenings and nights
COMMENTS = ("did not answer my question", "too long", "I wanted to know about my feet", "not for pregnancy?")


def messages() -> list[str]:
    eval_dir = BUNDLED_KNOWLEDGE / "eval"
    found: list[str] = []
    for name in ("questions.yaml", "questions_holdout.yaml", "questions_fresh.yaml"):
        cases = load_eval_set(eval_dir / name)
        found += [c.question for c in cases.in_scope] * 3 + [c.question for c in cases.off_topic]
    not_covered = load_not_covered_set(eval_dir / "not_covered.yaml")
    found += [q.text for q in (*not_covered.not_covered, *not_covered.unanswerable)]
    red_flags, safe = load_safety_cases(eval_dir)
    found += [c.text for c in red_flags][:60] + safe[:60]
    return found


def simulate(store: Store, bot: Bot, n: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    pool = messages()
    replies: dict[str, Reply] = {}

    def reply_to(question: str) -> Reply:
        if question not in replies:
            replies[question] = bot.ask(question)
        return replies[question]

    now = utcnow()
    counts = {"exchanges": 0, "feedback": 0, "clicks": 0}
    while counts["exchanges"] < n:
        at = now - timedelta(minutes=10, seconds=rng.uniform(0, 7 * 86_400 - 1200))
        if rng.random() * max(HOURLY) > HOURLY[at.hour]:
            continue  # fewer conversations in the small hours and mornings
        session = f"{rng.getrandbits(128):032x}"
        previous: str | None = None
        for turn in range(rng.choice((1, 1, 2, 3, 4))):
            question = rng.choice(pool)
            reply = replace(reply_to(question), id=new_exchange_id())
            record = ExchangeRecord.of(
                reply, question=question, session=session, version=bot.version, latency_ms=rng.uniform(0.2, 3)
            )
            store.record(replace(record, at=at + timedelta(seconds=40 * turn), previous_id=previous))
            counts["exchanges"] += 1
            previous = record.id
            if reply.kind == "fallback" and reply.suggestions and rng.random() < 0.33:
                chosen = rng.choice(reply.suggestions)
                click = replace(reply_to(chosen), id=new_exchange_id(), previous_id=record.id)
                clicked = ExchangeRecord.of(
                    click, question=chosen, session=session, version=bot.version, latency_ms=1.0, via="suggestion"
                )
                store.record(replace(clicked, at=at + timedelta(seconds=40 * turn + 15)))
                counts["exchanges"] += 1
                counts["clicks"] += 1
                previous = clicked.id
            if reply.matched and rng.random() < 0.04:
                helpful = rng.random() < 0.75
                comment = None if helpful or rng.random() < 0.5 else rng.choice(COMMENTS)
                store.record_feedback(record.id, helpful, comment)
                counts["feedback"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exchanges", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--database-url", help="an empty database to fill (default: a temporary SQLite file)")
    parser.add_argument("--keep", type=Path, help="write the SQLite file here and keep it")
    parser.add_argument("--json", type=Path, help="also write the report's JSON here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{args.keep or Path(tmp) / 'week.sqlite3'}"
        bot = Bot.from_knowledge()
        store = Store(url, maxsize=1_000_000, batch_size=2000, retention_days=36_500).start()
        assert store.wait_ready(30), "the database cannot be reached"
        started = time.perf_counter()
        counts = simulate(store, bot, args.exchanges, args.seed)
        stats = store.close(timeout=600)
        written = time.perf_counter() - started
        print(f"simulated: {counts}; written {stats.written} records in {written:.1f} s ({stats.dropped} dropped)")

        engine = open_engine(url)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        report = build_report(engine, utcnow() - timedelta(days=7))
        timings["report without nearest passages"] = time.perf_counter() - started
        started = time.perf_counter()
        loaded = Bot.from_knowledge()
        timings["load the knowledge (as the CLI does)"] = time.perf_counter() - started

        def nearest(question: str) -> dict[str, Any] | None:
            best = loaded.retriever.search(question, k=1).best
            return None if best is None else {"id": best.passage.id, "question": best.passage.question}

        started = time.perf_counter()
        report = build_report(engine, utcnow() - timedelta(days=7), nearest=nearest, uncovered=loaded.uncovered)
        timings["report with nearest passages"] = time.perf_counter() - started
        engine.dispose()
        for label, seconds in timings.items():
            print(f"  {label:<40}{seconds:>7.2f} s")
        print(
            f"{report['exchanges']} exchanges, {report['unanswered_groups']} unanswered groups, "
            f"feedback {report['feedback']}, {len(report['suggestion_clicks'])} suggestion-click rows"
        )
        if args.json:
            args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
