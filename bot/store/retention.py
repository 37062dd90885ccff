"""Deleting old exchanges: on demand (`crampbot purge --before DATE`) and automatically
(older than `CRAMPBOT_RETENTION_DAYS`, checked when the server starts and every hour)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Engine, delete, select

from bot.store.tables import exchanges, feedback, utcnow


class Purged(NamedTuple):
    exchanges: int
    feedback: int


def purge(engine: Engine, before: datetime) -> Purged:
    """Delete the exchanges stored before `before` (naive UTC), with their feedback, in one transaction."""
    old = select(exchanges.c.id).where(exchanges.c.at < before)
    with engine.begin() as connection:
        # Deleted explicitly, not left to ON DELETE CASCADE: the count is reported, and a database
        # that ignores foreign keys (an SQLite file opened by another tool) is purged all the same.
        gone_feedback = connection.execute(delete(feedback).where(feedback.c.exchange_id.in_(old))).rowcount
        gone = connection.execute(delete(exchanges).where(exchanges.c.at < before)).rowcount
    return Purged(exchanges=gone, feedback=gone_feedback)


def retention_cutoff(days: int, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=days)
