"""`bot.store.migrate`: versioned schema migrations (Alembic) that match the tables, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.store import migrate
from bot.store.database import open_engine
from bot.store.tables import metadata


def test_an_empty_database_is_brought_to_the_newest_revision(database_url: str) -> None:
    engine = open_engine(database_url)
    assert migrate.current(engine) is None
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert {"exchanges", "feedback", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_upgrading_again_changes_nothing(database_url: str) -> None:
    engine = open_engine(database_url)
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    engine.dispose()


def test_the_migrations_build_exactly_the_tables_the_code_declares(database_url: str) -> None:
    """A change to bot/store/tables.py without its migration fails here, naming the difference."""
    engine = open_engine(database_url)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_servers_starting_together_migrate_once_without_errors(database_url: str) -> None:
    engines = [open_engine(database_url) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(migrate.upgrade, engines))
    assert {migrate.current(e) for e in engines} == {migrate.head()}
    for engine in engines:
        engine.dispose()
