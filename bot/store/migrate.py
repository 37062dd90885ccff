"""Versioned schema migrations with Alembic, run from code: no alembic.ini, the scripts ship in the package.

Why Alembic rather than a hand-made version table: it is the standard companion of SQLAlchemy, it
knows both dialects' DDL (and SQLite's table rebuilds for ALTER, `render_as_batch`), and its
autogenerate compares `tables.py` with the migrations, which tests/test_store_migrations.py uses to
catch a table change without its migration. It costs two small pure-Python packages (alembic, Mako)
and is imported only when the store sets up its schema or `crampbot db` runs.

Several server processes may start at once: the upgrade runs in one transaction that first takes a
lock (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: an advisory lock), so the second waits for the first
and then finds nothing to do.

To add a migration: copy the last file in `migrations/versions/`, give it the next number as its
`revision` and the last one's as `down_revision`, and write `upgrade()` with `op` calls.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

from bot.store.database import READ_ONLY

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATION_LOCK = 1_531_770_015  # PostgreSQL advisory lock key: any fixed number no other tool uses

log = logging.getLogger(__name__)
# Alembic is imported when needed (not with the app); its set-up chatter is not worth a log line.
logging.getLogger("alembic").setLevel(logging.WARNING)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "bot.store:migrations")
    return config


def head() -> str:
    """The newest revision this version of crampbot knows."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None, "bot/store/migrations/versions holds no migration"
    return revision


def current(engine: Engine) -> str | None:
    """The database's revision; None for a database the store never set up."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect().execution_options(**READ_ONLY) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision` (the newest by default); a database already there is left alone."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        before = MigrationContext.configure(connection).get_current_revision()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        after = MigrationContext.configure(connection).get_current_revision()
    if after != before:
        log.info("store schema upgraded from %s to %s", before or "nothing", after)
