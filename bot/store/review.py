"""`crampbot review`: the candidate alternate phrasings, each with a stable id and what it would change.

The candidates are the report's suggestion clicks (`report.suggestion_clicks`: after a fallback,
the suggestion the user chose), so a review and the report never disagree about them. Each gets
an id that is a hash of its question and passage: the same candidate has the same id in every
run and on every server, so `--accept ID` can be typed from yesterday's listing. The question is
already redacted (the store holds nothing else); one that lost something to redaction ("call me
on [phone]") is marked `redacted` and never added: a placeholder is no phrasing anyone types.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Engine

from bot.corpus.passages import Passage
from bot.store.database import READ_ONLY
from bot.store.redact import PLACEHOLDERS
from bot.store.report import period_of, suggestion_clicks
from bot.store.tables import utcnow
from bot.text.normalise import normalise

ID_CHARS = 10  # hex digits of the hash: plenty for a few thousand candidates, short enough to type

Status = Literal["new", "known", "no_passage", "redacted"]


@dataclass(frozen=True)
class Candidate:
    """A wording a user typed before choosing `passage_id` from the suggestions."""

    id: str
    question: str
    passage_id: str
    count: int
    status: Status  # new: can be added; known: the passage already has it; no_passage: not in this knowledge;
    # redacted: holds a placeholder redaction left ([phone], [email], [number]), so it is never added
    passage_question: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "passage_id": self.passage_id,
            "passage_question": self.passage_question,
            "count": self.count,
            "status": self.status,
        }


def candidate_id(question: str, passage_id: str) -> str:
    """Stable across runs and servers: a hash of the wording and the passage."""
    return hashlib.sha256(f"{question}\0{passage_id}".encode("utf-8", "surrogatepass")).hexdigest()[:ID_CHARS]


def phrasings(passage: Passage) -> set[str]:
    """The passage's question and alternates as `normalise` reads them: a candidate equal to one adds nothing."""
    return {normalise(text) for text in (passage.question, *passage.alternates)}


def candidates(clicks: Iterable[Mapping[str, Any]], passages: Iterable[Passage]) -> list[Candidate]:
    """The suggestion clicks (`question`, `passage_id`, `count`) as candidates, most chosen first,
    each marked with whether the knowledge in use can take it."""
    by_id = {p.id: p for p in passages}
    out = []
    for click in clicks:
        question, passage_id = " ".join(str(click["question"]).split()), str(click["passage_id"])  # one line
        passage = by_id.get(passage_id)
        status: Status = "no_passage"
        if any(placeholder in question for placeholder in PLACEHOLDERS):
            status = "redacted"
        elif passage is not None:
            status = "known" if normalise(question) in phrasings(passage) else "new"
        out.append(
            Candidate(
                candidate_id(question, passage_id),
                question,
                passage_id,
                int(click["count"]),
                status,
                passage.question if passage else None,
            )
        )
    return out


def stored_clicks(engine: Engine, since: datetime, until: datetime | None = None) -> list[dict[str, Any]]:
    """Every suggestion click after a fallback in the period, as the report counts them."""
    with engine.connect().execution_options(**READ_ONLY) as connection, connection.begin():
        period = period_of(connection, since, until or utcnow())
        return suggestion_clicks(connection, period, None)
