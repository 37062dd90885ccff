"""The staff routes' request and response models: every field described, for /docs and /openapi.json."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.web.schemas import AskResponse, QuestionRequest

Kind = Literal["answer", "fallback", "smalltalk", "not_covered", "other_topic"]


class ExplainRequest(QuestionRequest):
    """A question to answer and explain; with `session_id`, read in that conversation (which is not changed)."""


class SafetyEvidence(BaseModel):
    level: Literal["emergency", "doctor"] = Field(description="The escalation level of the red flags that fired.")
    terms: list[str] = Field(description="The red-flag rules that fired, most urgent first.")
    from_earlier: bool = Field(description="True when an earlier message of the conversation raised it.")


class PhraseEvidence(BaseModel):
    text: str = Field(description="A phrase the question asks about, as read.")
    known: bool = Field(description="True when the knowledge base mentions it.")
    unknown_words: list[str] = Field(description="Its words no article mentions.")


class SubjectEvidence(BaseModel):
    covered: bool = Field(description="True when everything the question asks about is in the knowledge base.")
    phrases: list[PhraseEvidence] = Field(description="What the question asks about, beyond frame and topic words.")


class CandidateEvidence(BaseModel):
    id: str = Field(description="A passage id (`crampbot passages`).")
    question: str = Field(description="The question the passage answers.")
    score: float = Field(description="How well it matches the message (the best one's score is the confidence).")


class Evidence(BaseModel):
    """What `crampbot ask --explain` prints (bot.evaluation.explain). Small talk never reaches the
    retriever: the retrieval fields are then null."""

    kind: Kind = Field(description="The reply's kind, as in `POST /api/ask`.")
    knowledge_version: str = Field(description="The knowledge version that answered (a hash of the folder).")
    threshold: float = Field(description="The confidence below which crampbot falls back instead of answering.")
    confidence: float = Field(description="The reply's confidence, to compare with `threshold`.")
    safety: SafetyEvidence | None = Field(description="The red-flag rules that fired, or null when none did.")
    context_used: bool = Field(description="True when the message was read with the conversation's topic.")
    read_as: str | None = Field(description="The message as read with the conversation's topic, when it was.")
    subject: SubjectEvidence | None = Field(
        default=None, description="What the question asks about (null when it names neither the topic nor its area)."
    )
    not_covered: list[str] | None = Field(
        default=None, description="What it asks about that no article mentions, as the user typed it."
    )
    candidates: list[CandidateEvidence] | None = Field(
        default=None, description="The best passages with their scores, best first."
    )
    corrections: dict[str, str] | None = Field(default=None, description="Typo repairs made: typed word -> repaired.")
    synonyms_used: list[str] | None = Field(
        default=None, description="Lay phrases mapped onto the articles' words (synonyms.yaml)."
    )
    intents: list[str] | None = Field(
        default=None, description="The kinds of answer asked for (intents.yaml): cause, prevention, relief..."
    )
    coverage: float | None = Field(default=None, description="The share of the message's words the articles know.")
    names_the_topic: bool | None = Field(
        default=None, description="True when the message names leg cramps or their neighbourhood."
    )


class ExplainResponse(BaseModel):
    reply: AskResponse = Field(description="The reply a user would get, as `POST /api/ask` returns it (`id` null).")
    explain: Evidence = Field(description="Why: the evidence behind the reply.")
    session_found: bool | None = Field(
        description="With a `session_id`: whether this server holds that conversation (false: answered alone, as "
        "for a new or forgotten conversation). Null without one."
    )


class FeedbackOut(BaseModel):
    helpful: bool = Field(description="True for thumbs up.")
    comment: str | None = Field(description="The comment, redacted; null when none was given or stored.")
    at: str = Field(description="When it was sent (UTC, ISO 8601).")


class ExchangeOut(BaseModel):
    """One stored exchange (docs/privacy.md lists what is stored); the session hash is not shown."""

    id: str = Field(description="The exchange id, as `POST /api/ask` returned it.")
    at: str = Field(description="When it was answered (UTC, ISO 8601).")
    question: str | None = Field(description="The question, redacted; null with CRAMPBOT_STORE_QUESTIONS=false.")
    kind: Kind = Field(description="The reply's kind.")
    passage_id: str | None = Field(description="The passage answered with, if any.")
    confidence: float = Field(description="The reply's confidence.")
    escalation: Literal["emergency", "doctor"] | None = Field(description="The escalation level, if any.")
    escalation_from_earlier: bool = Field(description="True when an earlier message of the session raised it.")
    context_used: bool = Field(description="True when it was read as a follow-up of the conversation.")
    knowledge_version: str = Field(description="The knowledge version that answered.")
    latency_ms: float = Field(description="Time to answer, in milliseconds.")
    via: str | None = Field(description="`suggestion` when the user clicked a suggested question.")
    previous_id: str | None = Field(description="The id of the session's previous exchange (may be purged).")
    feedback: FeedbackOut | None = Field(description="The feedback given on it, or null.")


class ExchangePage(BaseModel):
    exchanges: list[ExchangeOut] = Field(description="At most `limit` exchanges, newest first.")
    next_cursor: str | None = Field(
        description="Pass it as `cursor` to get the next (older) page; null on the last page."
    )


class ReportResponse(BaseModel):
    """The JSON of `crampbot report --json` (bot.store.report), for the period asked."""

    model_config = ConfigDict(extra="allow")

    since: str = Field(description="Start of the period (UTC).")
    until: str = Field(description="End of the period (UTC), now.")
    exchanges: int = Field(description="Exchanges in the period.")
    sessions: int = Field(description="Distinct conversations among them.")
    per_day: list[dict[str, Any]] = Field(
        description="Every day of the period from the oldest exchange stored: `day`, `exchanges`, `fallback`."
    )
    kinds: dict[str, dict[str, Any]] = Field(description="By reply kind: `count` and `share`.")
    escalated: dict[str, Any] = Field(description="Escalations raised: `count`, `share`, `emergency`, `doctor`.")
    context_used: dict[str, Any] = Field(description="Follow-ups read with the conversation: `count`, `share`.")
    latency_ms: dict[str, float | None] = Field(description="Time to answer: `p50` and `p95`.")
    feedback: dict[str, int] = Field(description="Feedback sent in the period: `helpful`, `not_helpful`, `comments`.")
    not_helpful: list[dict[str, Any]] = Field(description="Passages most often found not helpful, with comments.")
    unanswered: list[dict[str, Any]] = Field(
        description="Unanswered questions grouped by meaning, most asked first: `question`, `count`, `wordings`, "
        "`nearest_passage`."
    )
    unanswered_groups: int = Field(description="How many groups of unanswered questions there are.")
    unanswered_ungrouped: int = Field(description="Unanswered questions too rare to group, or stored without text.")
    declined: list[dict[str, Any]] = Field(
        description="Questions declined as not covered, grouped like `unanswered`: `question`, `count`, `wordings`, "
        "`subject` (what they name that no article mentions, read again with the knowledge in use; not stored)."
    )
    declined_groups: int = Field(description="How many groups of declined questions there are.")
    declined_ungrouped: int = Field(description="Declined questions too rare to group, or stored without text.")
    suggestion_clicks: list[dict[str, Any]] = Field(
        description="After a fallback, the suggestion chosen: `question`, `passage_id`, `count` "
        "(the candidates `crampbot review` walks)."
    )
