"""The store as the server uses it: record exchanges and feedback off the request path.

`Store.record()` and `Store.record_feedback()` queue a record and return: a `BatchWriter` thread
sets up the schema (migrations), writes batches in one transaction each, and deletes what is older
than the retention period every hour. Nothing here raises into an answer: a database that is down
or missing makes the store `degraded` (see `/api/health`), logged once, and answers go on.

Feedback needs to know whether its exchange exists. An exchange still queued is known from memory;
an older one is looked up (a read that waits on no writer). When the database cannot say,
`record_feedback` raises `StoreUnavailable`, which the API answers with 503. An exchange another
process (worker, server) answered is in neither place until that process's writer has written it
(its linger, plus the write): `unseen_wait` is how long the API looks again before saying "unknown".
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.sql.dml import Insert

from bot.settings import Settings
from bot.store import migrate
from bot.store.database import READ_ONLY, database_url, default_folder, open_engine, safe_url
from bot.store.records import ExchangeRecord, FeedbackRecord, Record
from bot.store.retention import purge, retention_cutoff
from bot.store.tables import exchanges, feedback
from bot.store.writer import BatchWriter, WriterStats

log = logging.getLogger(__name__)

StoreStatus = Literal["ok", "degraded"]
READY_WAIT_SECONDS = 2.0  # how long feedback may wait for a store that is still starting
WRITE_MARGIN_SECONDS = 1.0  # beyond the writer's linger: a batch being written, a busy database
MAX_UNSEEN_WAIT_SECONDS = 1.5  # the longest feedback looks again for an exchange another process answered


REFUSED_DATA = (IntegrityError, DataError, UnicodeError, ValueError)  # a record's fault, not the database's


class StoreUnavailable(Exception):
    """The database cannot be read right now."""


class Store:
    def __init__(
        self,
        url: str,
        *,
        keep_text: bool = True,
        retention_days: int = 90,
        folder: Path | None = None,
        maxsize: int = 10_000,
        batch_size: int = 500,
        linger: float = 1.0,
        maintain_every: float = 3600.0,
        backoff: tuple[float, float] = (0.1, 30.0),
    ) -> None:
        """`keep_text` false stores metadata only; `folder` is created before the first connection
        (the default data folder)."""
        self.url = url
        self.keep_text = keep_text
        self.retention_days = retention_days
        self.unseen_wait = min(linger + WRITE_MARGIN_SECONDS, MAX_UNSEEN_WAIT_SECONDS)
        self._folder = folder
        self._engine: Engine | None = None
        self._schema_ready = threading.Event()
        self._pending: set[str] = set()  # exchange ids queued, not yet written
        self._pending_lock = threading.Lock()
        self._writer: BatchWriter[Record] = BatchWriter(
            self._write,
            name="store",
            maxsize=maxsize,
            batch_size=batch_size,
            linger=linger,
            maintain=self._maintain,
            maintain_every=maintain_every,
            backoff=backoff,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Store | None:
        """The store the settings describe; None when CRAMPBOT_DATABASE_URL is `none`."""
        url = database_url(settings)
        if url is None:
            return None
        return cls(
            url,
            keep_text=settings.store_questions,
            retention_days=settings.retention_days,
            folder=default_folder(settings),
        )

    def __repr__(self) -> str:
        return f"Store({safe_url(self.url)!r})"

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> Store:
        self._writer.start()
        return self

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Wait until the schema is set up (the store started and reached its database); False on timeout."""
        return self._schema_ready.wait(timeout)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything recorded so far is written; False on timeout (tests, shutdown)."""
        return self._writer.flush(timeout)

    def close(self, timeout: float = 10.0) -> WriterStats:
        """Write what is queued (for at most `timeout` seconds), then stop."""
        stats = self._writer.close(timeout)
        if self._engine is not None:
            self._engine.dispose()
        return stats

    @property
    def status(self) -> StoreStatus:
        return "degraded" if self._writer.degraded else "ok"

    @property
    def stats(self) -> WriterStats:
        return self._writer.stats

    # -- recording (the request path: never waits on the database) ---------------------------------

    def record(self, exchange: ExchangeRecord) -> bool:
        """Queue one exchange; False when it had to be dropped (the queue is full)."""
        with self._pending_lock:
            self._pending.add(exchange.id)
        if self._writer.put(exchange):
            return True
        with self._pending_lock:
            self._pending.discard(exchange.id)
        return False

    def record_feedback(self, exchange_id: str, helpful: bool, comment: str | None = None) -> bool:
        """Queue feedback on an exchange, replacing any earlier one; False when no such exchange is
        known. Raises StoreUnavailable when the database cannot tell."""
        if not self._known(exchange_id):
            return False
        if not self._writer.put(FeedbackRecord(exchange_id, helpful, comment)):
            raise StoreUnavailable("the store's queue is full")
        return True

    def reader(self) -> Engine:
        """An engine to read the database with (the staff routes); raises StoreUnavailable while the
        database cannot be reached or its schema is not set up yet."""
        if self._writer.degraded or not self._schema_ready.wait(READY_WAIT_SECONDS) or self._engine is None:
            raise StoreUnavailable(f"the database is unavailable ({safe_url(self.url)})")
        return self._engine

    def _known(self, exchange_id: str) -> bool:
        with self._pending_lock:
            if exchange_id in self._pending:
                return True
        engine = self.reader()  # just after start the schema may still be being set up: it waits a moment
        try:
            with engine.connect().execution_options(**READ_ONLY) as connection:
                found = connection.execute(select(exchanges.c.id).where(exchanges.c.id == exchange_id)).first()
        except DataError:  # a value the database cannot even compare (a NUL for PostgreSQL): no stored id
            return False
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"the database is unavailable ({safe_url(self.url)})") from exc
        return found is not None

    # -- the writer thread ------------------------------------------------------------------------

    def _ready_engine(self) -> Engine:
        """The engine, with the schema brought up to date on first use (retried after a failure)."""
        if self._engine is None:
            if self._folder is not None:
                self._folder.mkdir(parents=True, exist_ok=True)
            self._engine = open_engine(self.url)
        if not self._schema_ready.is_set():
            migrate.upgrade(self._engine)
            self._schema_ready.set()
            log.info("store ready: %s", safe_url(self.url))
        return self._engine

    def _maintain(self) -> None:
        engine = self._ready_engine()
        gone = purge(engine, retention_cutoff(self.retention_days))
        if gone.exchanges:
            log.info("retention: deleted %d exchanges older than %d days", gone.exchanges, self.retention_days)

    def _write(self, batch: list[Record]) -> int:
        engine = self._ready_engine()
        rejected = 0
        try:
            with engine.begin() as connection:
                self._insert(connection, batch)
        except REFUSED_DATA:
            # One bad record (feedback on an exchange purged meanwhile) must not cost the others, nor
            # block the queue: written one by one, the refused ones are counted and skipped. Any other
            # error is the database's, and the whole batch is retried later.
            for record in batch:
                try:
                    with engine.begin() as connection:
                        self._insert(connection, [record])
                except REFUSED_DATA as exc:
                    rejected += 1
                    log.warning("store: a %s was refused: %s", type(record).__name__, type(exc).__name__)
        written = {r.id for r in batch if isinstance(r, ExchangeRecord)}
        with self._pending_lock:
            self._pending -= written
        return rejected

    def _insert(self, connection: Connection, batch: list[Record]) -> None:
        rows = [r.row(self.keep_text) for r in batch if isinstance(r, ExchangeRecord)]
        if rows:
            _insert_exchanges(connection, rows)
        latest = {r.exchange_id: r for r in batch if isinstance(r, FeedbackRecord)}  # the last one sent wins
        if latest:
            rows = [r.row(self.keep_text) for r in latest.values()]
            connection.execute(_feedback_upsert(connection.dialect.name), rows)


EXCHANGE_COLUMNS = tuple(column.name for column in exchanges.columns)
_exchange_values = itemgetter(*EXCHANGE_COLUMNS)  # a row's values, in the columns' order
SQLITE_MAX_PARAMETERS = 999  # what SQLite builds before 3.32 allow in one statement
SQLITE_ROWS_PER_INSERT = min(64, SQLITE_MAX_PARAMETERS // len(EXCHANGE_COLUMNS))


@functools.lru_cache(maxsize=8)
def _sqlite_insert(rows: int) -> str:
    row = f"({', '.join('?' for _ in EXCHANGE_COLUMNS)})"
    return f"INSERT INTO exchanges ({', '.join(EXCHANGE_COLUMNS)}) VALUES {', '.join(row for _ in range(rows))}"


def _insert_exchanges(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """The batch's exchanges. On SQLite as multi-row INSERTs of plain values, for the server's one
    CPU: SQLAlchemy's processing of each row's parameters took half the writer's time, and the
    driver's executemany gives the interpreter lock away for every row it steps, each time making
    the writer wait for it again while the event loop answers (bench/store.md); a statement of 64
    rows gives it away once. The time is converted as SQLAlchemy stores it, so reads through SQLAlchemy
    see the same values. Other databases go through SQLAlchemy Core."""
    if connection.dialect.name != "sqlite":
        connection.execute(insert(exchanges), rows)
        return
    dialect = connection.dialect
    stored_time = exchanges.c.at.type.dialect_impl(dialect).bind_processor(dialect)
    assert stored_time is not None, "SQLite keeps times as text that SQLAlchemy formats"
    for row in rows:  # each a new dict, from ExchangeRecord.row()
        row["at"] = stored_time(row["at"])
    values = list(map(_exchange_values, rows))
    for start in range(0, len(values), SQLITE_ROWS_PER_INSERT):
        chunk = values[start : start + SQLITE_ROWS_PER_INSERT]
        connection.exec_driver_sql(_sqlite_insert(len(chunk)), tuple(itertools.chain.from_iterable(chunk)))


def _feedback_upsert(dialect: str) -> Insert:
    """INSERT ... ON CONFLICT (exchange_id) DO UPDATE: sending feedback again replaces it."""
    if dialect == "postgresql":
        statement: postgresql.Insert | sqlite.Insert = postgresql.insert(feedback)
    elif dialect == "sqlite":
        statement = sqlite.insert(feedback)
    else:
        raise NotImplementedError(f"the store supports SQLite and PostgreSQL, not {dialect}")
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[feedback.c.exchange_id], set_={"at": new.at, "helpful": new.helpful, "comment": new.comment}
    )
