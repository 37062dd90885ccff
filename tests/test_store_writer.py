"""`bot.store.writer.BatchWriter`: a bounded queue drained in batches, which never makes its caller wait."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from bot.store.writer import BatchWriter, describe


class Sink:
    """A stand-in database: records batches; can be made to hang or to fail."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.failing = False
        self.attempts = 0

    def write(self, batch: list[int]) -> int:
        self.attempts += 1
        self.gate.wait()
        if self.failing:
            raise ConnectionError("database is down\n[SQL: INSERT ... the question ...]")
        self.batches.append(list(batch))
        return 0

    @property
    def items(self) -> list[int]:
        return [item for batch in self.batches for item in batch]


def test_queued_items_are_written_in_order_in_batches() -> None:
    sink = Sink()
    sink.gate.clear()  # hold the first batch so the rest gathers behind it
    writer: BatchWriter[int] = BatchWriter(sink.write, batch_size=10)
    writer.start()
    for i in range(35):
        writer.put(i)
    sink.gate.set()
    assert writer.flush(5)
    assert sink.items == list(range(35)) and max(len(b) for b in sink.batches) == 10
    assert len(sink.batches) < 35
    writer.close()


def test_putting_never_waits_for_a_database_that_hangs() -> None:
    sink = Sink()
    sink.gate.clear()
    writer: BatchWriter[int] = BatchWriter(sink.write, maxsize=100, batch_size=10)
    writer.start()
    started = time.perf_counter()
    accepted = [writer.put(i) for i in range(1000)]
    assert time.perf_counter() - started < 0.5
    assert accepted.count(True) <= 110  # the queue's 100 plus the batch the hung write holds
    assert writer.stats.dropped == accepted.count(False) and writer.degraded
    sink.gate.set()
    writer.close()


def test_a_full_queue_is_logged_once_per_incident(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.store.writer")
    sink = Sink()
    sink.gate.clear()
    writer: BatchWriter[int] = BatchWriter(sink.write, maxsize=5)
    writer.start()
    for i in range(50):
        writer.put(i)
    sink.gate.set()
    assert writer.flush(5) and not writer.degraded
    messages = [r.getMessage() for r in caplog.records]
    assert len([m for m in messages if "degraded" in m]) == 1
    assert len([m for m in messages if "recovered" in m]) == 1
    writer.close()


def test_a_failed_write_is_retried_until_the_database_is_back(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.store.writer")
    sink = Sink()
    sink.failing = True
    writer: BatchWriter[int] = BatchWriter(sink.write, backoff=(0.005, 0.01))
    writer.start()
    writer.put(1)
    writer.put(2)
    assert not writer.flush(0.2)
    assert writer.degraded and writer.stats.failures >= 3 and writer.stats.incidents == 1
    sink.failing = False
    assert writer.flush(5) and sink.items == [1, 2] and not writer.degraded
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "database is down" in errors[0] and "SQL" not in errors[0]
    writer.close()


def test_closing_writes_what_is_queued() -> None:
    sink = Sink()
    sink.gate.clear()
    writer: BatchWriter[int] = BatchWriter(sink.write)
    writer.start()
    for i in range(20):
        writer.put(i)
    threading.Timer(0.1, sink.gate.set).start()
    stats = writer.close(timeout=5)
    assert sink.items == list(range(20)) and stats.written == 20 and stats.dropped == 0


def test_closing_gives_up_on_a_database_that_stays_down_and_counts_the_loss() -> None:
    sink = Sink()
    sink.failing = True
    writer: BatchWriter[int] = BatchWriter(sink.write, backoff=(0.01, 0.05))
    writer.start()
    for i in range(7):
        writer.put(i)
    started = time.perf_counter()
    stats = writer.close(timeout=0.3)
    assert time.perf_counter() - started < 2
    assert stats.dropped == 7 and stats.written == 0 and stats.queued == 0


def test_nothing_is_taken_after_closing() -> None:
    writer: BatchWriter[int] = BatchWriter(Sink().write)
    writer.start()
    writer.close()
    assert writer.put(1) is False


def test_maintenance_runs_at_start_and_is_retried_after_a_failure() -> None:
    calls: list[float] = []

    def maintain() -> None:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise OSError("not yet")

    writer: BatchWriter[int] = BatchWriter(Sink().write, maintain=maintain, backoff=(0.01, 0.02))
    writer.start()
    deadline = time.monotonic() + 5
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(calls) == 3 and not writer.degraded
    writer.close()


def test_errors_are_described_without_the_statement() -> None:
    assert describe(ValueError("bad\n[SQL: SELECT secret]")) == "ValueError: bad"
    assert describe(ValueError()) == "ValueError"
