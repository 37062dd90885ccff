"""What the store writes: one exchange (a question and the reply's metadata) or one feedback.

Records are built on the request path, so they only copy fields; redaction and the choice of what
to keep happen in the writer thread (`row()`), off that path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.random_ids import hex_id
from bot.store.redact import redact, storable
from bot.store.tables import utcnow

if TYPE_CHECKING:
    from bot.chat import Reply


EXCHANGE_ID_PATTERN = r"^[0-9a-f]{32}$"  # what new_exchange_id() makes: anything else is malformed


def new_exchange_id() -> str:
    """An opaque id: 16 random bytes in hex. It says nothing about the time, the session or the question."""
    return hex_id()


@dataclass(frozen=True)
class ExchangeRecord:
    id: str
    at: datetime
    session: str | None  # the salted hash the sessions are keyed by; never the raw session id
    question: str  # as typed: redacted (or left out) by row()
    kind: str
    passage_id: str | None
    confidence: float
    escalation: str | None
    escalation_from_earlier: bool
    context_used: bool
    knowledge_version: str
    latency_ms: float
    via: str | None = None
    previous_id: str | None = None

    @classmethod
    def of(
        cls,
        reply: Reply,
        *,
        question: str,
        session: str | None,
        version: str,
        latency_ms: float,
        via: str | None = None,
    ) -> ExchangeRecord:
        assert reply.id is not None, "an exchange is stored under the id its reply carries"
        return cls(
            id=reply.id,
            at=utcnow(),
            session=session,
            question=question,
            kind=reply.kind,
            passage_id=reply.passage.id if reply.passage else None,
            confidence=round(reply.confidence, 4),
            escalation=reply.escalation.level if reply.escalation else None,
            escalation_from_earlier=reply.escalation_from_earlier,
            context_used=reply.context_used,
            knowledge_version=version,
            latency_ms=round(latency_ms, 3),
            via=via,
            previous_id=reply.previous_id,
        )

    def row(self, keep_text: bool) -> dict[str, Any]:
        """The `exchanges` row: the question redacted, or left out when `keep_text` is false."""
        return {
            "id": self.id,
            "at": self.at,
            "session": self.session,
            "question": redact(storable(self.question)) if keep_text else None,
            "kind": self.kind,
            "passage_id": self.passage_id,
            "confidence": self.confidence,
            "escalation": self.escalation,
            "escalation_from_earlier": self.escalation_from_earlier,
            "context_used": self.context_used,
            "knowledge_version": self.knowledge_version,
            "latency_ms": self.latency_ms,
            "via": self.via,
            "previous_id": self.previous_id,
        }


@dataclass(frozen=True)
class FeedbackRecord:
    exchange_id: str
    helpful: bool
    comment: str | None = None
    at: datetime = field(default_factory=utcnow)

    def row(self, keep_text: bool) -> dict[str, Any]:
        comment = (self.comment or "").strip()
        return {
            "exchange_id": self.exchange_id,
            "at": self.at,
            "helpful": self.helpful,
            "comment": redact(storable(comment)) if keep_text and comment else None,
        }


Record = ExchangeRecord | FeedbackRecord
