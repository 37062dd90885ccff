"""Exchanges and feedback.

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchanges",
        sa.Column("id", sa.String(32), nullable=False, comment="opaque id, returned to the client as `id`"),
        sa.Column("at", sa.DateTime(), nullable=False, comment="when the question was answered (UTC)"),
        sa.Column(
            "session", sa.String(32), comment="salted hash of the session id (salt per server process); no raw id"
        ),
        sa.Column("question", sa.Text(), comment="redacted question; null when CRAMPBOT_STORE_QUESTIONS=false"),
        sa.Column(
            "kind", sa.String(16), nullable=False, comment="answer, fallback, smalltalk, not_covered, other_topic"
        ),
        sa.Column("passage_id", sa.Text(), comment="the passage answered with"),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("escalation", sa.String(16), comment="emergency, doctor or null"),
        sa.Column(
            "escalation_from_earlier",
            sa.Boolean(),
            nullable=False,
            comment="raised by an earlier message of the session",
        ),
        sa.Column("context_used", sa.Boolean(), nullable=False, comment="read as a follow-up of the conversation"),
        sa.Column("knowledge_version", sa.String(64), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False, comment="time to answer, in milliseconds"),
        sa.Column("via", sa.String(16), comment="suggestion: the user clicked a suggested question"),
        sa.Column(
            "previous_id",
            sa.String(32),
            comment="the session's previous exchange (no constraint: may be purged)",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_exchanges"),
    )
    op.create_index("ix_exchanges_at", "exchanges", ["at"])
    op.create_table(
        "feedback",
        sa.Column("exchange_id", sa.String(32), nullable=False, comment="sending feedback again replaces it"),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), comment="redacted; null when none was given or CRAMPBOT_STORE_QUESTIONS=false"),
        sa.ForeignKeyConstraint(
            ["exchange_id"], ["exchanges.id"], name="fk_feedback_exchange_id_exchanges", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("exchange_id", name="pk_feedback"),
    )


def downgrade() -> None:
    op.drop_table("feedback")
    op.drop_index("ix_exchanges_at", table_name="exchanges")
    op.drop_table("exchanges")
