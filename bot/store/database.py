"""Which database, and an engine for it that behaves the same on SQLite and PostgreSQL.

SQLite (the default, a file in `CRAMPBOT_DATA_DIR`) is opened in WAL mode with a busy timeout, so
several server processes can write to one file: readers never block the writer, and a writer waits
for another instead of failing with "database is locked". Every transaction that may write starts
with `BEGIN IMMEDIATE`, taking the write lock up front; a deferred transaction that reads first and
writes later could fail at once when another process wrote in between, whatever the busy timeout.
PostgreSQL needs none of this; a plain `postgresql://` URL is served by psycopg (version 3).
Errors never carry a statement's values (`hide_parameters`): they could hold a question.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url

from bot.settings import Settings

DEFAULT_FILE = "crampbot.sqlite3"
BUSY_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 10  # PostgreSQL: a server that does not answer fails the attempt, and it is retried
READ_ONLY = {"crampbot_read_only": True}  # execution options of a connection that only reads (BEGIN DEFERRED)


def database_url(settings: Settings) -> str | None:
    """The URL the settings name; None when CRAMPBOT_DATABASE_URL is `none` (nothing is stored)."""
    if settings.database_url == "none":
        return None
    return settings.database_url or f"sqlite:///{settings.data_dir / DEFAULT_FILE}"


def default_folder(settings: Settings) -> Path | None:
    """The data folder to create on first use, when the default database is used."""
    return settings.data_dir if not settings.database_url else None


def sqlite_file(url: str | URL) -> Path | None:
    """The file an SQLite URL names; None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in {None, "", ":memory:"}:
        return None
    return Path(str(parsed.database))


def safe_url(url: str | URL) -> str:
    """The URL to show in logs and errors: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def open_engine(url: str | URL) -> Engine:
    """An engine for `url`. Nothing connects yet: a database that is down shows on first use."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:  # SQLAlchemy's default would be psycopg2
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        postgres = parsed.get_backend_name() == "postgresql"
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS} if postgres else {}
        return create_engine(parsed, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args)
    engine = create_engine(parsed, hide_parameters=True, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _: Any) -> None:
    # The driver's own transaction handling off: _sqlite_begin says how each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    _wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable across a process crash, fast
    cursor.execute("PRAGMA foreign_keys=ON")  # as PostgreSQL: deleting an exchange deletes its feedback
    cursor.close()


def _wal(cursor: Any) -> None:
    """WAL mode, kept in the file once set. Switching needs the database to itself, and SQLite
    answers "database is locked" at once (no busy wait) while another connection uses it: servers
    starting together retry until one has switched it, within the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].casefold() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get("crampbot_read_only", False)
    connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")
