"""The store's two tables, in SQLAlchemy Core: one row per exchange, at most one feedback per exchange.

Times are naive UTC (`utcnow()`), stored the same way by SQLite and PostgreSQL. A change here needs
a migration in `migrations/versions/`; tests/test_store_migrations.py fails while the two differ.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Boolean, Column, DateTime, Float, ForeignKey, MetaData, String, Table, Text

ID_LENGTH = 32  # an exchange id: 16 random bytes in hex

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

exchanges = Table(
    "exchanges",
    metadata,
    Column("id", String(ID_LENGTH), primary_key=True, comment="opaque id, returned to the client as `id`"),
    Column("at", DateTime(), nullable=False, index=True, comment="when the question was answered (UTC)"),
    Column("session", String(32), comment="salted hash of the session id (salt per server process); no raw id"),
    Column("question", Text, comment="redacted question; null when CRAMPBOT_STORE_QUESTIONS=false"),
    Column("kind", String(16), nullable=False, comment="answer, fallback, smalltalk, not_covered, other_topic"),
    Column("passage_id", Text, comment="the passage answered with"),
    Column("confidence", Float, nullable=False),
    Column("escalation", String(16), comment="emergency, doctor or null"),
    Column("escalation_from_earlier", Boolean, nullable=False, comment="raised by an earlier message of the session"),
    Column("context_used", Boolean, nullable=False, comment="read as a follow-up of the conversation"),
    Column("knowledge_version", String(64), nullable=False),
    Column("latency_ms", Float, nullable=False, comment="time to answer, in milliseconds"),
    Column("via", String(16), comment="suggestion: the user clicked a suggested question"),
    Column("previous_id", String(ID_LENGTH), comment="the session's previous exchange (no constraint: may be purged)"),
)

feedback = Table(
    "feedback",
    metadata,
    Column(
        "exchange_id",
        String(ID_LENGTH),
        ForeignKey("exchanges.id", ondelete="CASCADE"),
        primary_key=True,
        comment="sending feedback again replaces it",
    ),
    Column("at", DateTime(), nullable=False),
    Column("helpful", Boolean, nullable=False),
    Column("comment", Text, comment="redacted; null when none was given or CRAMPBOT_STORE_QUESTIONS=false"),
)


def utcnow() -> datetime:
    """Now, as the store keeps times: naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
