"""`bot.store.Store`: exchanges and feedback written off the request path, on SQLite and PostgreSQL alike.

Every test that takes `database_url` runs on an SQLite file and on a new database of the session's
PostgreSQL server (tests/conftest.py: a throwaway one, or CRAMPBOT_TEST_POSTGRES_URL); without
PostgreSQL those cases skip with the reason, under CI they fail.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.chat import Bot
from bot.settings import get_settings
from bot.store.database import open_engine
from bot.store.records import ExchangeRecord, FeedbackRecord, new_exchange_id
from bot.store.store import Store, StoreUnavailable
from bot.store.tables import exchanges, feedback, utcnow


def exchange(
    bot: Bot, question: str = "What causes leg cramps at night?", previous_id: str | None = None, **fields: Any
) -> ExchangeRecord:
    reply = replace(bot.ask(question), id=new_exchange_id(), previous_id=previous_id)
    return ExchangeRecord.of(reply, question=question, session="ab" * 16, version=bot.version, latency_ms=1.5, **fields)


def rows(url: str, table: Any) -> list[dict[str, Any]]:
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            return [dict(r._mapping) for r in connection.execute(select(table))]
    finally:
        engine.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store(database_url).start()
    assert store.wait_ready(10)
    yield store
    store.close()


def test_an_exchange_is_stored_with_its_reply_metadata(store: Store, bot: Bot, database_url: str) -> None:
    record = exchange(bot)
    assert store.record(record)
    assert store.flush()
    [row] = rows(database_url, exchanges)
    assert row["id"] == record.id and row["question"] == "What causes leg cramps at night?"
    assert row["kind"] == "answer" and row["passage_id"] == record.passage_id is not None
    assert row["confidence"] == record.confidence and row["knowledge_version"] == bot.version
    assert row["session"] == "ab" * 16 and row["latency_ms"] == 1.5
    assert row["escalation"] is None and row["context_used"] is False and row["via"] is None
    assert row["at"] == record.at and abs(row["at"] - utcnow()) < timedelta(minutes=1)


def test_a_red_flag_is_stored_as_its_level(store: Store, bot: Bot, database_url: str) -> None:
    store.record(exchange(bot, "cramp and chest pain"))
    store.flush()
    [row] = rows(database_url, exchanges)
    assert row["escalation"] == "emergency" and row["escalation_from_earlier"] is False


def test_the_stored_question_is_redacted(store: Store, bot: Bot, database_url: str) -> None:
    store.record(exchange(bot, "cramps every night, email me at ann@example.org or call 07700 900123"))
    store.flush()
    [row] = rows(database_url, exchanges)
    assert row["question"] == "cramps every night, email me at [email] or call [phone]"


def test_without_stored_questions_only_the_metadata_is_kept(database_url: str, bot: Bot) -> None:
    store = Store(database_url, keep_text=False).start()
    record = exchange(bot)
    store.record(record)
    store.flush()
    store.record_feedback(record.id, helpful=False, comment="it did not say how long")
    store.close()
    [row] = rows(database_url, exchanges)
    assert row["question"] is None and row["kind"] == "answer" and row["passage_id"] == record.passage_id
    [given] = rows(database_url, feedback)
    assert given["helpful"] is False and given["comment"] is None


def test_feedback_is_stored_and_sending_again_replaces_it(store: Store, bot: Bot, database_url: str) -> None:
    record = exchange(bot)
    store.record(record)
    assert store.record_feedback(record.id, helpful=False, comment="too long, mail me: a@b.example")
    store.flush()
    assert [(r["helpful"], r["comment"]) for r in rows(database_url, feedback)] == [
        (False, "too long, mail me: [email]")
    ]
    assert store.record_feedback(record.id, helpful=True)
    store.flush()
    assert [(r["helpful"], r["comment"]) for r in rows(database_url, feedback)] == [(True, None)]


def test_feedback_sent_twice_in_one_batch_keeps_the_last(store: Store, bot: Bot, database_url: str) -> None:
    record = exchange(bot)
    store.record(record)
    store.record_feedback(record.id, helpful=True)
    store.record_feedback(record.id, helpful=False)
    store.flush()
    assert [r["helpful"] for r in rows(database_url, feedback)] == [False]


def test_feedback_on_an_exchange_written_earlier_is_accepted(database_url: str, bot: Bot) -> None:
    first = Store(database_url).start()
    record = exchange(bot)
    first.record(record)
    first.close()
    second = Store(database_url).start()  # another server process: the id is not in its memory
    assert second.wait_ready()
    assert second.record_feedback(record.id, helpful=True)
    second.close()
    assert [r["exchange_id"] for r in rows(database_url, feedback)] == [record.id]


def test_feedback_on_an_unknown_exchange_is_refused(store: Store) -> None:
    assert store.record_feedback(new_exchange_id(), helpful=True) is False
    assert store.record_feedback("not an id at all", helpful=True) is False


def test_feedback_on_an_id_the_database_cannot_compare_is_refused_not_unavailable(store: Store) -> None:
    assert store.record_feedback("\x00" + "0" * 31, helpful=True) is False  # PostgreSQL: a DataError
    assert store.status == "ok"


def test_a_suggestion_click_names_the_previous_exchange(store: Store, bot: Bot, database_url: str) -> None:
    before = exchange(bot, "my leg hurts when I play the tuba")
    after = exchange(bot, "How can I prevent leg cramps?", via="suggestion", previous_id=before.id)
    store.record(before)
    store.record(after)
    store.flush()
    by_id = {r["id"]: r for r in rows(database_url, exchanges)}
    assert by_id[after.id]["via"] == "suggestion" and by_id[after.id]["previous_id"] == before.id


def test_many_exchanges_are_written_in_batches(database_url: str, bot: Bot) -> None:
    store = Store(database_url, batch_size=50).start()
    records = [exchange(bot) for _ in range(20)]
    for _ in range(10):
        for record in records:
            store.record(ExchangeRecord(**{**record.__dict__, "id": new_exchange_id()}))
    store.close()
    assert len(rows(database_url, exchanges)) == 200 and store.stats.written == 200


def test_a_batch_of_many_inserts_is_written_whole_and_exactly(database_url: str, bot: Bot) -> None:
    record = exchange(bot)
    sent = [ExchangeRecord(**{**record.__dict__, "id": new_exchange_id(), "latency_ms": float(i)}) for i in range(150)]
    store = Store(database_url).start()  # one batch of 150: SQLite writes it as several INSERTs
    for one in sent:
        store.record(one)
    store.close()
    stored = {row["id"]: row for row in rows(database_url, exchanges)}
    assert sorted(stored) == sorted(one.id for one in sent)
    assert all(stored[one.id]["latency_ms"] == one.latency_ms and stored[one.id]["at"] == one.at for one in sent)


def test_closing_writes_everything_still_queued(database_url: str, bot: Bot) -> None:
    store = Store(database_url).start()
    for _ in range(30):
        store.record(exchange(bot))
    stats = store.close()  # no flush first
    assert stats.written == 30 and stats.dropped == 0
    assert len(rows(database_url, exchanges)) == 30


def test_old_exchanges_go_when_the_store_starts(database_url: str, bot: Bot) -> None:
    store = Store(database_url, retention_days=90).start()
    old, recent = exchange(bot), exchange(bot)
    old = ExchangeRecord(**{**old.__dict__, "at": utcnow() - timedelta(days=91)})
    store.record(old)
    store.record(recent)
    store.flush()
    store.record_feedback(old.id, helpful=True)
    store.close()
    restarted = Store(database_url, retention_days=90).start()
    assert restarted.wait_ready()
    restarted.close()
    assert [r["id"] for r in rows(database_url, exchanges)] == [recent.id]
    assert rows(database_url, feedback) == []


def test_the_default_database_goes_in_the_data_folder_created_on_first_use(tmp_path: Path, bot: Bot) -> None:
    folder = tmp_path / "nested" / "data"
    store = Store.from_settings(get_settings({"CRAMPBOT_DATA_DIR": str(folder)}))
    assert store is not None and not folder.exists()
    store.start()
    assert store.wait_ready()
    store.close()
    assert (folder / "crampbot.sqlite3").exists()


def test_a_database_url_of_none_means_no_store() -> None:
    assert Store.from_settings(get_settings({"CRAMPBOT_DATABASE_URL": "none"})) is None


def test_an_unreachable_database_degrades_the_store_and_is_logged_once(
    tmp_path: Path, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="bot.store")
    store = Store(f"sqlite:///{tmp_path}/missing/folder/x.sqlite3", backoff=(0.01, 0.02)).start()
    for _ in range(5):
        assert store.record(exchange(bot))  # queued: recording never fails
    assert not store.flush(0.3)
    assert store.status == "degraded" and store.stats.failures > 1
    assert len([r for r in caplog.records if "degraded" in r.getMessage()]) == 1
    with pytest.raises(StoreUnavailable):
        store.record_feedback(new_exchange_id(), helpful=True)
    stats = store.close(timeout=0.2)
    assert stats.dropped == 5 and stats.written == 0


def test_the_store_recovers_when_the_database_comes_back(
    tmp_path: Path, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.store")
    folder = tmp_path / "later"
    store = Store(f"sqlite:///{folder}/x.sqlite3", backoff=(0.01, 0.05)).start()
    store.record(exchange(bot))
    assert not store.flush(0.2) and store.status == "degraded"
    folder.mkdir()
    assert store.flush(5) and store.status == "ok"
    store.close()
    assert any("recovered" in r.getMessage() for r in caplog.records)
    assert len(rows(f"sqlite:///{folder}/x.sqlite3", exchanges)) == 1


def test_the_url_in_the_stores_name_hides_the_password() -> None:
    assert "secret" not in repr(Store("postgresql://me:secret@db.example/crampbot"))


WRITER_PROCESS = """
import json, sys
from bot.store.records import ExchangeRecord, new_exchange_id
from bot.store.store import Store
from bot.store.tables import utcnow

url, count = sys.argv[1], int(sys.argv[2])
store = Store(url, batch_size=5, linger=0.0).start()
assert store.wait_ready(30)
print("ready", flush=True)
sys.stdin.readline()  # both processes start writing together
for _ in range(count):
    fields = (None, "q", "answer", None, 0.5, None, False, False, "v", 1.0)
    store.record(ExchangeRecord(new_exchange_id(), utcnow(), *fields))
stats = store.close(timeout=60)
print(json.dumps({"written": stats.written, "failures": stats.failures}), flush=True)
"""


def test_two_servers_writing_to_one_database_at_once_lose_nothing(database_url: str) -> None:
    """Two processes, each with its own Store, writing to one database at the same moment (as two
    workers of `crampbot serve --workers 2` do): on SQLite, WAL, the busy timeout and BEGIN
    IMMEDIATE mean no "database is locked"; every write succeeds on its first attempt."""
    Store(database_url).start().close()  # the schema first, as `crampbot serve` sets it up before its workers
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_PROCESS, database_url, "300"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for writer in writers:
            assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        outputs = [writer.communicate("go\n", timeout=120)[0] for writer in writers]
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
    stats = [json.loads(output.splitlines()[-1]) for output in outputs]
    assert [s["failures"] for s in stats] == [0, 0] and sum(s["written"] for s in stats) == 600
    assert len(rows(database_url, exchanges)) == 600


def test_feedback_that_cannot_be_queued_is_refused_not_lost(tmp_path: Path, bot: Bot) -> None:
    store = Store(f"sqlite:///{tmp_path}/x.sqlite3", maxsize=1)  # never started: the queue stays full
    record = exchange(bot)
    assert store.record(record)
    with pytest.raises(StoreUnavailable):
        store.record_feedback(record.id, helpful=True)


def test_text_no_database_can_hold_is_stored_mended(store: Store, bot: Bot, database_url: str) -> None:
    """A NUL (PostgreSQL refuses it) or a lone surrogate (nothing can encode it) must neither be lost
    nor block the queue behind it."""
    store.record(exchange(bot, "cramps\x00 at night \ud800?"))
    store.record(exchange(bot))
    assert store.flush()
    questions = sorted(r["question"] for r in rows(database_url, exchanges))
    assert questions == ["What causes leg cramps at night?", "cramps\ufffd at night \ufffd?"]


def test_a_record_the_database_refuses_is_skipped_and_counted_not_retried(
    store: Store, bot: Bot, database_url: str
) -> None:
    good = exchange(bot)
    store.record(good)
    store._writer.put(FeedbackRecord(new_exchange_id(), helpful=True))  # no such exchange: the foreign key refuses it
    store.record(exchange(bot))
    assert store.flush()
    assert len(rows(database_url, exchanges)) == 2 and rows(database_url, feedback) == []
    assert store.stats.rejected == 1 and store.stats.failures == 0 and store.status == "ok"
