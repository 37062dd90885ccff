"""Alembic's migration scripts for the store (run by `bot.store.migrate`, never by the alembic command)."""
