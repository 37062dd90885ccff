"""A bounded queue drained in batches by one background thread: the caller never waits on the database.

`put()` returns at once: the item is queued, or dropped and counted when the queue is full. The
thread lets items gather for up to `linger` seconds (or until a batch is full, or someone flushes)
and writes them as one batch: a few transactions a second however busy the server, rather than one
per question, which would compete with answering for the interpreter. When a write fails (the
database is down, the disk is full) it keeps the batch and retries with a growing pause, up to
`backoff[1]` seconds, while new items queue behind it; the incident is logged once when it starts
and once when it ends, with what it cost. `close()` writes what is left, trying for at most its
timeout, and says what was lost.

The writer knows nothing of SQL: `write(batch)` does the work and returns how many items the
database refused as bad data (they are not retried); anything it raises counts as the database
being unavailable.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class WriterStats:
    written: int  # items the database accepted
    rejected: int  # items the database refused as bad data (never retried)
    dropped: int  # items lost: the queue was full, or they were still unwritten when closing gave up
    failures: int  # failed attempts to write a batch (each one retried)
    incidents: int  # times the writer became degraded (each logged once)
    queued: int  # items waiting now
    degraded: bool  # the last write failed, or the queue is full


def describe(exc: BaseException) -> str:
    """An error in one line, without the statement and parameters SQLAlchemy appends on later lines
    (they could hold a question)."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


class BatchWriter(Generic[T]):
    def __init__(
        self,
        write: Callable[[list[T]], int],
        *,
        name: str = "store",
        maxsize: int = 10_000,
        batch_size: int = 500,
        linger: float = 0.2,
        maintain: Callable[[], None] | None = None,
        maintain_every: float = 3600.0,
        backoff: tuple[float, float] = (0.1, 30.0),
    ) -> None:
        """`maintain` runs in the thread when it starts and every `maintain_every` seconds after
        (a failure counts like a failed write and is retried sooner)."""
        self.name = name
        self.maxsize = maxsize
        self._write = write
        self._batch_size = batch_size
        self._linger = linger
        self._maintain = maintain
        self._maintain_every = maintain_every
        self._backoff = backoff
        self._items: deque[T] = deque()
        self._lock = threading.Lock()
        self._has_items = threading.Condition(self._lock)  # the thread waits for work on this
        self._done = threading.Condition(self._lock)  # flush() waits for progress on this
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._urgent = False  # a flush() is waiting: write without lingering
        self._deadline = float("inf")
        # Counters, guarded by _lock
        self._accepted = 0
        self._finished = 0  # items written, rejected or dropped after being accepted
        self._written = self._rejected = self._dropped = self._failures = self._incidents = 0
        self._degraded = False
        self._incident_failures = self._incident_dropped = 0

    # -- the caller's side -------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"crampbot-{self.name}-writer", daemon=True)
            self._thread.start()

    def put(self, item: T) -> bool:
        """Queue `item`; False (and counted) when the queue is full or closed. Never blocks."""
        with self._lock:
            if self._stopping or len(self._items) >= self.maxsize:
                self._dropped += 1
                self._incident_dropped += 1
                if not self._stopping:
                    self._enter_incident(f"the queue is full ({self.maxsize} items); new items are dropped")
                return False
            self._items.append(item)
            self._accepted += 1
            if len(self._items) == 1 or len(self._items) == self._batch_size:  # the thread waits for these only
                self._has_items.notify()
            return True

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every item queued so far is written (or rejected or dropped); False on timeout."""
        with self._lock:
            target = self._accepted
            self._urgent = True
            self._has_items.notify()
            return self._done.wait_for(lambda: self._finished >= target, timeout)

    def close(self, timeout: float = 10.0) -> WriterStats:
        """Stop taking items and write what is queued, for at most `timeout` seconds; what is still
        unwritten then is dropped, and logged."""
        with self._lock:
            self._stopping = True
            self._deadline = time.monotonic() + timeout
            self._has_items.notify_all()
        if self._thread is not None:
            self._thread.join(timeout + 1.0)
        with self._lock:
            lost = len(self._items)  # the thread is stuck (a connection that hangs) or never started
            self._drop_queued()
        stats = self.stats
        if lost or stats.dropped:
            log.error("%s closed: %d items were never written in this run", self.name, stats.dropped)
        return stats

    @property
    def stats(self) -> WriterStats:
        with self._lock:
            return WriterStats(
                written=self._written,
                rejected=self._rejected,
                dropped=self._dropped,
                failures=self._failures,
                incidents=self._incidents,
                queued=len(self._items),
                degraded=self._degraded,
            )

    @property
    def degraded(self) -> bool:
        return self._degraded

    # -- the thread's side -------------------------------------------------------------------------

    def _run(self) -> None:
        next_maintenance = time.monotonic() if self._maintain else float("inf")
        pause = self._backoff[0]
        while True:
            with self._lock:
                while not self._items and not self._stopping:
                    wait = next_maintenance - time.monotonic()
                    if wait <= 0:
                        break
                    self._has_items.wait(None if wait == float("inf") else wait)
                if self._items and not self._urgent:  # let a batch gather
                    self._has_items.wait_for(self._batch_ready, self._linger)
                if self._stopping and time.monotonic() >= self._deadline:
                    self._drop_queued()
                    return
                if len(self._items) <= self._batch_size:
                    self._urgent = False
                batch = [self._items.popleft() for _ in range(min(len(self._items), self._batch_size))]
                if not batch and self._stopping:
                    return
            if self._maintain is not None and not self._stopping and time.monotonic() >= next_maintenance:
                if self._attempt(self._maintain):
                    next_maintenance, pause = time.monotonic() + self._maintain_every, self._backoff[0]
                else:
                    next_maintenance, pause = time.monotonic() + pause, min(pause * 2, self._backoff[1])
            if batch:
                self._write_batch(batch)

    def _closing_since(self, was_stopping: bool) -> Callable[[], bool]:
        """True once close() is called, if it had not been when this was made."""
        return lambda: self._stopping and not was_stopping

    def _batch_ready(self) -> bool:
        return len(self._items) >= self._batch_size or self._urgent or self._stopping

    def _attempt(self, task: Callable[[], None]) -> bool:
        try:
            task()
        except Exception as exc:
            self._failed(exc)
            return False
        with self._lock:
            if self._degraded and len(self._items) < self.maxsize:
                self._leave_incident()
        return True

    def _write_batch(self, batch: list[T]) -> None:
        pause = self._backoff[0]
        while True:
            try:
                rejected = self._write(batch)
            except Exception as exc:
                self._failed(exc)
                with self._lock:
                    if self._stopping and time.monotonic() >= self._deadline:
                        self._lose(len(batch))
                        return
                    # woken early only by close(), which then allows until its deadline
                    self._has_items.wait_for(
                        self._closing_since(self._stopping), max(0.0, min(pause, self._deadline - time.monotonic()))
                    )
                pause = min(pause * 2, self._backoff[1])
                continue
            with self._lock:
                self._written += len(batch) - rejected
                self._rejected += rejected
                self._finished += len(batch)
                if self._degraded and len(self._items) < self.maxsize:
                    self._leave_incident()
                self._done.notify_all()
            return

    def _failed(self, exc: Exception) -> None:
        with self._lock:
            self._failures += 1
            self._incident_failures += 1
            self._enter_incident(f"cannot write ({describe(exc)}); answers go on, items wait in memory and are retried")

    def _enter_incident(self, why: str) -> None:
        """Called with the lock held: log the first sign of trouble only."""
        if not self._degraded:
            self._degraded = True
            self._incidents += 1
            log.error("%s degraded: %s", self.name, why)

    def _leave_incident(self) -> None:
        log.warning(
            "%s recovered: writing again after %d failed attempts; %d items dropped meanwhile",
            self.name,
            self._incident_failures,
            self._incident_dropped,
        )
        self._degraded = False
        self._incident_failures = self._incident_dropped = 0

    def _drop_queued(self) -> None:
        """Called with the lock held: what is still queued will never be written."""
        n = len(self._items)
        self._items.clear()
        self._lose(n)

    def _lose(self, n: int) -> None:
        """Called with the lock held: n accepted items will never be written."""
        self._dropped += n
        self._incident_dropped += n
        self._finished += n
        self._done.notify_all()
