"""The store: exchanges and feedback in a database (SQLite by default, PostgreSQL by URL), off the request path.

- `tables`: the tables (SQLAlchemy Core); `migrate` and `migrations/`: their versions (Alembic)
- `database`: which URL, and an engine that behaves the same on SQLite and PostgreSQL
- `records`, `redact`: what is written, and what is removed from it first
- `writer`: a bounded queue drained in batches by one thread; `store`: the server's side of it
- `retention`: purging old exchanges; `report`, `grouping`, `html`: what `crampbot report` reads and shows
- `review`: the candidate phrasings `crampbot review` walks; `browse`: exchanges one by one, for the staff routes

What is stored, where, and for how long: docs/privacy.md.
"""
