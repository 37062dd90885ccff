"""Alembic's entry point: migrate on the connection `bot.store.migrate.upgrade` opened (and locked)."""

from __future__ import annotations

from alembic import context

from bot.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `crampbot db upgrade` (bot.store.migrate), not the alembic command")
# transactional_ddl: on SQLite too, the whole upgrade is one transaction (bot.store.database begins it)
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
