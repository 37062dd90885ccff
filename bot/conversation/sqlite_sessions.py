"""Conversations shared by the workers of one server: one small SQLite table in its run folder.

`crampbot serve --workers N` sends each request to whichever worker takes it, so a follow-up must
find its conversation, and its red flag, from any of them. The table holds a conversation as JSON
(bot.conversation.codec) under its salted key, with a version and the wall-clock time of its last
message. An exchange reads a row, answers with no lock held, then writes only if the version is
still the one it read; if another worker wrote in between, it answers again on the newer state
(optimistic, so the database is locked only for the few microseconds of a write). Each worker
deletes idle rows, and the least recently used beyond `max_sessions`, every CLEANUP_SECONDS.

The file lives and dies with the run folder: nothing in it survives the server.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bot.conversation import codec
from bot.conversation.sessions import SessionsUnavailable, Step
from bot.conversation.state import Conversation

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long a write waits for another worker's (each holds the lock for microseconds).
BUSY_TIMEOUT_MS = 2000
#: Seconds between two cleanups by one worker.
CLEANUP_SECONDS = 10.0
#: Tries of one exchange when other workers keep writing the same conversation in between.
ATTEMPTS = 20

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    touched REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_touched ON sessions (touched);
"""


class SqliteSessions:
    """The `SessionStore` of several processes on one machine (thread-safe: a connection per thread)."""

    def __init__(
        self, path: Path, max_sessions: int, idle_seconds: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path)
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self._clock = clock  # wall clock: the processes must agree on it
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._opened_lock = threading.Lock()
        self._next_cleanup = 0.0
        with self._connection() as connection:  # the schema, once per process (IF NOT EXISTS)
            connection.executescript(SCHEMA)

    def __len__(self) -> int:
        return int(self._execute("SELECT count(*) FROM sessions").fetchone()[0])

    def get(self, key: str) -> Conversation | None:
        now = self._clock()
        row = self._read(key, now)
        if row is None:
            return None
        self._execute("UPDATE sessions SET touched = ? WHERE key = ?", (now, key))
        return row[0]

    def peek(self, key: str) -> Conversation | None:
        row = self._read(key, self._clock())
        return None if row is None else row[0]

    def put(self, key: str, conversation: Conversation) -> None:
        state = codec.dumps(conversation)
        self._execute(
            "INSERT INTO sessions (key, state, version, touched) VALUES (?, ?, 1, ?) ON CONFLICT (key) "
            "DO UPDATE SET state = excluded.state, version = version + 1, touched = excluded.touched",
            (key, state, self._clock()),
        )
        self._cleanup()

    def update(self, key: str, step: Step[T]) -> T:
        for _ in range(ATTEMPTS):
            row = self._read(key, self._clock(), expired_too=True)
            conversation, version = row if row is not None else (None, None)
            result, new = step(conversation or Conversation())
            state, now = codec.dumps(new), self._clock()
            if version is None:
                sql = "INSERT INTO sessions (key, state, version, touched) VALUES (?, ?, 1, ?) ON CONFLICT DO NOTHING"
                written = self._execute(sql, (key, state, now)).rowcount
            else:
                sql = "UPDATE sessions SET state = ?, version = version + 1, touched = ? WHERE key = ? AND version = ?"
                written = self._execute(sql, (state, now, key, version)).rowcount
            if written:
                self._cleanup()
                return result
        raise SessionsUnavailable(f"conversation written by others {ATTEMPTS} times during one exchange")

    def _read(self, key: str, now: float, expired_too: bool = False) -> tuple[Conversation | None, int] | None:
        """(conversation, version) of `key`, or None if there is no row. An idle or unreadable
        conversation reads as None (with its version, for `update` to overwrite) or, unless
        `expired_too`, as no row."""
        row = self._execute("SELECT state, version, touched FROM sessions WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        state, version, touched = row
        conversation: Conversation | None = None
        if now - touched < self.idle_seconds:
            try:
                conversation = codec.loads(state)
            except codec.UnreadableConversation as exc:
                log.warning("an unreadable conversation in %s is started afresh: %s", self.path, exc)
        if conversation is None and not expired_too:
            return None
        return conversation, int(version)

    def _cleanup(self) -> None:
        now = self._clock()
        if now < self._next_cleanup:
            return
        self._next_cleanup = now + CLEANUP_SECONDS
        self._execute("DELETE FROM sessions WHERE touched <= ?", (now - self.idle_seconds,))
        self._execute(
            "DELETE FROM sessions WHERE key IN (SELECT key FROM sessions ORDER BY touched DESC LIMIT -1 OFFSET ?)",
            (self.max_sessions,),
        )

    def _execute(self, sql: str, parameters: tuple[object, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._connection().execute(sql, parameters)
        except sqlite3.Error as exc:
            raise SessionsUnavailable(f"{self.path}: {exc}") from exc

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            # autocommit: each statement is its own transaction, so no lock is held between them
            connection = sqlite3.connect(
                self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode = WAL")  # readers never wait for a writer
            connection.execute("PRAGMA synchronous = OFF")  # the file does not outlive the server anyway
            self._local.connection = connection
            with self._opened_lock:
                self._opened.append(connection)
        return connection

    def close(self) -> None:
        """Close every thread's connection (the app's shutdown)."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()
        self._local = threading.local()
